// The Notify requests a simulated agent sends: Boot! (TR-181 Device.Boot! with Cause,
// CommandKey, FirmwareUpdated and ParameterMap) and OperationComplete for async commands.
import type { usp } from '@octomesh/contracts';

/** TR-181 Boot! causes. */
export const BootCauses = {
  localReboot: 'LocalReboot',
  remoteReboot: 'RemoteReboot',
  localFactoryReset: 'LocalFactoryReset',
  remoteFactoryReset: 'RemoteFactoryReset',
} as const;
/** One of {@link BootCauses}. */
export type BootCause = (typeof BootCauses)[keyof typeof BootCauses];

/** The Boot! event notification. */
export function bootNotify(options: {
  subscriptionId: string;
  sendResp: boolean;
  cause: BootCause;
  commandKey: string;
  firmwareUpdated: boolean;
  parameterMap: string;
}): usp.INotify {
  return {
    subscriptionId: options.subscriptionId,
    sendResp: options.sendResp,
    event: {
      objPath: 'Device.',
      eventName: 'Boot!',
      params: {
        Cause: options.cause,
        CommandKey: options.commandKey,
        FirmwareUpdated: String(options.firmwareUpdated),
        ParameterMap: options.parameterMap,
      },
    },
  };
}

/** The OperationComplete notification of a finished async command. */
export function operationCompleteNotify(options: {
  subscriptionId: string;
  sendResp: boolean;
  objPath: string;
  commandName: string;
  commandKey: string;
  outputArgs: Readonly<Record<string, string>>;
}): usp.INotify {
  return {
    subscriptionId: options.subscriptionId,
    sendResp: options.sendResp,
    operComplete: {
      objPath: options.objPath,
      commandName: options.commandName,
      commandKey: options.commandKey,
      reqOutputArgs: { outputArgs: { ...options.outputArgs } },
    },
  };
}
