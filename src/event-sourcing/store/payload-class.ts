// eslint-disable-next-line @typescript-eslint/no-explicit-any -- class-transformer instantiates with no arguments
export type PayloadClass = new (...args: any[]) => object;
