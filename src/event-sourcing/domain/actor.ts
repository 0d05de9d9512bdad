/** Who caused something: a person, an AI agent, or the system itself. */
export type ActorType = 'human' | 'ai' | 'system';
export const ACTOR_TYPES: readonly ActorType[] = ['human', 'ai', 'system'];

export interface Actor {
  readonly type: ActorType;
  readonly id: string | null;
}
