// The generated protobuf code (scripts/proto-gen.ts from proto/), re-exported by package.
export { mesh } from './generated/proto.js';
