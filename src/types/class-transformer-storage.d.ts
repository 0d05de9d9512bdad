// class-transformer ships no types beside its CommonJS files; its storage is the one
// plainToInstance reads, so the quick payload check asks it whether a class has decorators.
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage.js';
}
