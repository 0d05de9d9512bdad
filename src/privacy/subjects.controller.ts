import { BadRequestException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { toActor, type AuthenticatedActor } from '../auth/authenticated-actor.js';
import { PracticeAccess } from '../contexts/tenancy/public-api.js';
import { EVENT_STORE, SubjectForgetting, type EventStore, type RecordedEvent } from '../event-sourcing/index.js';
import { toEventResponse, type EventResponse } from '../events-api/event.response.js';

const MAX_SUBJECT_ID_LENGTH = 255;
const EXPORT_PAGE = 1_000;

const checkSubjectId = (subjectId: string): void => {
  if (subjectId.length > MAX_SUBJECT_ID_LENGTH) {
    throw new BadRequestException({ code: 'INVALID_SUBJECT_ID', message: `A subject id has at most ${MAX_SUBJECT_ID_LENGTH} characters` });
  }
};

const notFound = (subjectId: string) =>
  new NotFoundException({ code: 'SUBJECT_NOT_FOUND', message: `This practice holds no personal data of subject ${subjectId}` });

/**
 * A data subject's rights (a guest, say, by the id events name them with): to be forgotten
 * (crypto-shredding: their key is deleted, so their personal fields read as redacted
 * everywhere while the events stay as they are) and to a copy of what is held about them.
 */
@ApiTags('privacy')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'NOT_A_MEMBER of the practice, or ROLE_TOO_LOW: owners and admins only' })
@PracticeAccess('admin')
@Controller('v1/practices/:practiceId/subjects/:subjectId')
export class SubjectsController {
  constructor(
    @Inject(SubjectForgetting) private readonly forgetting: SubjectForgetting,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('forget')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ practiceId, subjectId, forgottenAt, keysDeleted, rowsRedacted }; again: the same, keysDeleted 0' })
  @ApiNotFoundResponse({ description: 'SUBJECT_NOT_FOUND: the practice never held personal data of this subject' })
  async forget(
    @Param('practiceId') practiceId: string,
    @Param('subjectId') subjectId: string,
    @CurrentActor() caller: AuthenticatedActor,
  ): Promise<{ practiceId: string; subjectId: string; forgottenAt: string; keysDeleted: number; rowsRedacted: number }> {
    checkSubjectId(subjectId);
    const forgotten = await this.forgetting.forget(practiceId, subjectId, toActor(caller));
    if (!forgotten) throw notFound(subjectId);
    const { forgottenAt, keysDeleted, rowsRedacted } = forgotten;
    return { practiceId, subjectId, forgottenAt: forgottenAt.toISOString(), keysDeleted, rowsRedacted };
  }

  @Get('export')
  @ApiOkResponse({ description: '{ practiceId, subjectId, exportedAt, events: [...] }: every event naming the subject, decrypted' })
  @ApiNotFoundResponse({ description: 'SUBJECT_NOT_FOUND: no event of the practice names this subject' })
  async export(
    @Param('practiceId') practiceId: string,
    @Param('subjectId') subjectId: string,
  ): Promise<{ practiceId: string; subjectId: string; exportedAt: string; events: EventResponse[] }> {
    checkSubjectId(subjectId);
    const events: RecordedEvent[] = [];
    for (;;) {
      const last = events.at(-1);
      const after = last && { transactionId: last.transactionId, position: last.position };
      const page = await this.store.readSubject(practiceId, subjectId, { after, limit: EXPORT_PAGE });
      events.push(...page);
      if (page.length < EXPORT_PAGE) break;
    }
    if (events.length === 0) throw notFound(subjectId);
    return { practiceId, subjectId, exportedAt: new Date().toISOString(), events: events.map(toEventResponse) };
  }
}
