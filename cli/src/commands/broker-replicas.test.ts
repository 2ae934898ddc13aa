import { brokerReplicas, fixedBrokerPorts, sharedPortsEnv } from './broker-replicas.ts';

describe('brokerReplicas', () => {
  test('one replica is the plain broker, with nothing added to its environment', () => {
    expect(brokerReplicas(1, 'host')).toEqual([{ name: 'broker', env: {} }]);
  });

  test('several replicas are numbered, named after the host and bind with SO_REUSEPORT', () => {
    expect(brokerReplicas(3, 'edge')).toEqual([
      { name: 'broker-1', env: { MQTT_REUSE_PORT: 'true', BROKER_REPLICA: 'edge-1' } },
      { name: 'broker-2', env: { MQTT_REUSE_PORT: 'true', BROKER_REPLICA: 'edge-2' } },
      { name: 'broker-3', env: { MQTT_REUSE_PORT: 'true', BROKER_REPLICA: 'edge-3' } },
    ]);
  });
});

describe('sharedPortsEnv', () => {
  test('turns the ports the first replica announced into the port variables of the others', () => {
    expect(sharedPortsEnv({ mqtt: 40001, ws: 40002, mqtts: 40003, wss: 40004 })).toEqual({
      MQTT_PORT: '40001',
      WS_PORT: '40002',
      MQTTS_PORT: '40003',
      WSS_PORT: '40004',
    });
  });

  test('ignores a listener it has no port variable for', () => {
    expect(sharedPortsEnv({ mqtt: 40001, admin: 9 })).toEqual({ MQTT_PORT: '40001' });
  });
});

describe('fixedBrokerPorts', () => {
  test('names the MQTT and WebSocket ports, and MQTT over TLS when TLS files are set', () => {
    expect(fixedBrokerPorts({ MQTT_PORT: '1883', WS_PORT: '8080', MQTTS_PORT: '8883' })).toEqual([
      1883, 8080,
    ]);
    expect(
      fixedBrokerPorts({
        MQTT_PORT: '1883',
        WS_PORT: '8080',
        MQTTS_PORT: '8883',
        TLS_CERT_FILE: 'c.pem',
        TLS_KEY_FILE: 'k.pem',
      }),
    ).toEqual([1883, 8080, 8883]);
  });

  test('follows LISTENERS and leaves out ports given as 0', () => {
    expect(
      fixedBrokerPorts({
        LISTENERS: 'mqtt,wss',
        MQTT_PORT: '0',
        WS_PORT: '8080',
        WSS_PORT: '8443',
      }),
    ).toEqual([8443]);
  });
});
