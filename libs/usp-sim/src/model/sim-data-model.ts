// The simulator's slice of TR-181 (Device:2): DeviceInfo (read-only identity and UpTime), a few
// writable parameters (Time, WiFi.SSID.{i}), an Add/Delete-able table (NAT.PortMapping.{i}), the
// LocalAgent Request table behind async commands, the Boot! event, Reboot() (async) and
// FactoryReset() (sync).
import { DeviceModel } from './device-model.ts';
import type { ObjectNode } from './nodes.ts';
import { objectSchema, type ParamSchema } from './schema.ts';

/** Who a simulated device is; shows in DeviceInfo and in Boot!. */
export interface DeviceIdentity {
  readonly endpointId: string;
  readonly manufacturer: string;
  readonly manufacturerOui: string;
  readonly modelName: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly hardwareVersion: string;
  readonly softwareVersion: string;
}

/** The USP versions the simulated agent speaks (GetSupportedProtocol). */
export const SUPPORTED_USP_VERSIONS = '1.0,1.1,1.2,1.3,1.4';
/** The data model the simulator implements (GetSupportedDM data_model_inst_uri). */
export const DATA_MODEL_URI = 'urn:broadband-forum-org:tr-181-2-18-0';

const readOnly = (type: ParamSchema['type'] = 'string', defaultValue = ''): ParamSchema => ({
  type,
  writable: false,
  defaultValue,
});
const computed = (
  type: ParamSchema['type'],
  compute: ParamSchema['compute'],
  valueChangeIgnored = false,
): ParamSchema => ({ type, writable: false, compute, valueChangeIgnored });
const writable = (
  type: ParamSchema['type'],
  defaultValue: string,
  constraints: Pick<ParamSchema, 'maxLength' | 'range' | 'enumeration'> = {},
): ParamSchema => ({ type, writable: true, defaultValue, ...constraints });

const entriesOf = (table: string) => (node: ObjectNode) => {
  const child = node.children.get(table);
  return String(child?.kind === 'table' ? child.instances.size : 0);
};
const uptime = (_node: ObjectNode, model: DeviceModel): string => String(model.uptimeSeconds);
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Supported Data Model of every simulated agent. */
export const SIM_DATA_MODEL = objectSchema('Device', {
  params: { RootDataModelVersion: readOnly('string', '2.18') },
  commands: {
    'Reboot()': { type: 'async', inputArgs: [], outputArgs: [] },
    'FactoryReset()': { type: 'sync', inputArgs: [], outputArgs: [] },
  },
  events: { 'Boot!': { args: ['Cause', 'CommandKey', 'FirmwareUpdated', 'ParameterMap'] } },
  objects: {
    DeviceInfo: objectSchema('DeviceInfo', {
      params: {
        Manufacturer: readOnly(),
        ManufacturerOUI: readOnly(),
        ModelName: readOnly(),
        ProductClass: readOnly(),
        SerialNumber: readOnly(),
        HardwareVersion: readOnly(),
        SoftwareVersion: readOnly(),
        UpTime: computed('unsignedInt', uptime, true),
      },
    }),
    Time: objectSchema('Time', {
      params: {
        Enable: writable('boolean', 'true'),
        Status: computed('string', (node) =>
          node.values.get('Enable') === 'true' ? 'Synchronized' : 'Disabled',
        ),
        NTPServer1: writable('string', 'pool.ntp.org', { maxLength: 64 }),
        NTPServer2: writable('string', '', { maxLength: 64 }),
        CurrentLocalTime: computed('dateTime', (_node, model) => isoSeconds(model.now()), true),
        LocalTimeZone: writable('string', 'UTC', { maxLength: 256 }),
      },
    }),
    LocalAgent: objectSchema('LocalAgent', {
      params: {
        EndpointID: readOnly(),
        SupportedProtocols: readOnly('string', 'MQTT'),
        UpTime: computed('unsignedInt', uptime, true),
        RequestNumberOfEntries: computed('unsignedInt', entriesOf('Request')),
      },
      objects: {
        Request: objectSchema('Request', {
          multiInstance: true,
          params: {
            Originator: readOnly(),
            Command: readOnly(),
            CommandKey: readOnly(),
            Status: readOnly('string', 'Requested'),
          },
        }),
      },
    }),
    WiFi: objectSchema('WiFi', {
      params: { SSIDNumberOfEntries: computed('unsignedInt', entriesOf('SSID')) },
      objects: {
        SSID: objectSchema('SSID', {
          multiInstance: true,
          uniqueKeys: [['Alias'], ['Name']],
          params: {
            Enable: writable('boolean', 'true'),
            Status: computed('string', (node) =>
              node.values.get('Enable') === 'true' ? 'Up' : 'Down',
            ),
            Alias: writable('string', '', { maxLength: 64 }),
            Name: readOnly(),
            SSID: writable('string', '', { maxLength: 32 }),
          },
        }),
      },
    }),
    NAT: objectSchema('NAT', {
      params: { PortMappingNumberOfEntries: computed('unsignedInt', entriesOf('PortMapping')) },
      objects: {
        PortMapping: objectSchema('PortMapping', {
          multiInstance: true,
          addDelete: true,
          uniqueKeys: [['Alias']],
          params: {
            Enable: writable('boolean', 'false'),
            Status: computed('string', (node) =>
              node.values.get('Enable') === 'true' ? 'Enabled' : 'Disabled',
            ),
            Alias: writable('string', '', { maxLength: 64 }),
            Description: writable('string', '', { maxLength: 256 }),
            ExternalPort: writable('unsignedInt', '0', { range: { min: 0, max: 65_535 } }),
            InternalPort: writable('unsignedInt', '0', { range: { min: 0, max: 65_535 } }),
            InternalClient: writable('string', '', { maxLength: 256 }),
            Protocol: writable('string', 'TCP', { enumeration: ['TCP', 'UDP'] }),
          },
        }),
      },
    }),
  },
});

/** Identity defaults for an endpoint id; `os::<OUI>-<serial>` ids give their OUI and serial. */
export function identityFor(
  endpointId: string,
  overrides: Partial<DeviceIdentity> = {},
): DeviceIdentity {
  const match = /^os::([0-9A-Fa-f]{6})-(.+)$/.exec(endpointId);
  const serial = match?.[2] ?? endpointId.replace(/^[a-z]+::/, '');
  return {
    endpointId,
    manufacturer: 'Octomesh',
    manufacturerOui: match?.[1]?.toUpperCase() ?? '000000',
    modelName: 'usp-sim',
    productClass: 'Simulated',
    serialNumber: serial,
    hardwareVersion: '1.0',
    softwareVersion: '1.0.0',
    ...overrides,
  };
}

/** A fresh data model for one simulated agent. */
export function createSimDeviceModel(
  identity: DeviceIdentity,
  options: { now?: () => number } = {},
): DeviceModel {
  return new DeviceModel(SIM_DATA_MODEL, {
    ...(options.now !== undefined ? { now: options.now } : {}),
    initialValues: {
      'Device.DeviceInfo.Manufacturer': identity.manufacturer,
      'Device.DeviceInfo.ManufacturerOUI': identity.manufacturerOui,
      'Device.DeviceInfo.ModelName': identity.modelName,
      'Device.DeviceInfo.ProductClass': identity.productClass,
      'Device.DeviceInfo.SerialNumber': identity.serialNumber,
      'Device.DeviceInfo.HardwareVersion': identity.hardwareVersion,
      'Device.DeviceInfo.SoftwareVersion': identity.softwareVersion,
      'Device.LocalAgent.EndpointID': identity.endpointId,
    },
    initialInstances: {
      'Device.WiFi.SSID.': [
        { Alias: 'cpe-1', Name: 'wl0', SSID: `Octomesh-${identity.serialNumber}`.slice(0, 32) },
        { Alias: 'cpe-2', Name: 'wl1', SSID: `Octomesh-${identity.serialNumber}-5G`.slice(0, 32) },
      ],
    },
  });
}

/** The Boot! ParameterMap: a JSON object of a few identity parameters, as TR-181 describes. */
export function bootParameterMap(identity: DeviceIdentity): string {
  return JSON.stringify({
    'Device.DeviceInfo.ManufacturerOUI': identity.manufacturerOui,
    'Device.DeviceInfo.ProductClass': identity.productClass,
    'Device.DeviceInfo.SerialNumber': identity.serialNumber,
    'Device.DeviceInfo.SoftwareVersion': identity.softwareVersion,
  });
}
