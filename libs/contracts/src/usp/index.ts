// USP (TR-369 1.4): the generated usp_record and usp namespaces and the checked codecs around them.
export { usp, usp_record } from '../proto.ts';
export * from './usp-decode-error.ts';
export * from './usp-record-codec.ts';
export * from './usp-msg-codec.ts';
