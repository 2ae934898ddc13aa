// The settings that shape the bus permissions, read from the environment under the names the
// services read them (USP_TOPIC_PREFIX in broker and usp-router, USP_OKTOPUS_COMPAT in
// usp-router, AUTH_OKTOPUS_DEVICES_AUTH in auth), so the bus and the services agree.
import { DEFAULT_TOPIC_PREFIX, type BusPermissionOptions } from '@octomesh/contracts';

/** Bus permission options from USP_TOPIC_PREFIX, USP_OKTOPUS_COMPAT, AUTH_OKTOPUS_DEVICES_AUTH. */
export function busPermissionOptionsFromEnv(env: NodeJS.ProcessEnv): BusPermissionOptions {
  return {
    uspTopicPrefix: env['USP_TOPIC_PREFIX'] ?? DEFAULT_TOPIC_PREFIX,
    oktopusCompat: env['USP_OKTOPUS_COMPAT'] === 'true',
    oktopusDevicesAuth: env['AUTH_OKTOPUS_DEVICES_AUTH'] === 'true',
  };
}
