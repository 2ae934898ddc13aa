// The generated protobuf code (scripts/proto-gen.ts from proto/), re-exported by package.
import './protobuf-config.ts';

export { mesh, usp, usp_record } from './generated/proto.js';
