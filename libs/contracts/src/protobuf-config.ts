// protobufjs decodes 64-bit integers as Long objects whenever the `long` package is installed,
// although the generated types (--force-number) say number. Mesh values (timestamps, revisions,
// USP sequence ids) stay far below 2^53, so decode them as plain numbers. Must be imported
// before the generated code runs.
import $protobuf from 'protobufjs/minimal.js';

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
