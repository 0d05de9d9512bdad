/** The ISO 4217 codes the runtime knows (its ICU data): made-up codes such as `ABC` are not among them. */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export const isIsoCurrency = (code: string): boolean => ISO_4217.has(code);
