// The USP Records an agent publishes: the MQTTConnect Record that announces it (TR-369 "MQTT
// Connect Record") and NoSessionContext Records carrying one Msg.
import { encodeUspMsg, encodeUspRecord, usp_record, type usp } from '@octomesh/contracts';

/** The Record version the simulator writes. */
export const USP_RECORD_VERSION = '1.4';

/** An MQTTConnect Record from the agent to a controller. */
export function mqttConnectRecord(
  fromId: string,
  toId: string,
  mqttVersion: 4 | 5,
  subscribedTopic: string,
): Uint8Array {
  const MQTTVersion = usp_record.MQTTConnectRecord.MQTTVersion;
  return encodeUspRecord({
    version: USP_RECORD_VERSION,
    toId,
    fromId,
    mqttConnect: {
      version: mqttVersion === 5 ? MQTTVersion.V5 : MQTTVersion.V3_1_1,
      subscribedTopic,
    },
  });
}

/** A NoSessionContext Record carrying `msg`. */
export function noSessionRecord(fromId: string, toId: string, msg: usp.IMsg): Uint8Array {
  return encodeUspRecord({
    version: USP_RECORD_VERSION,
    toId,
    fromId,
    noSessionContext: { payload: encodeUspMsg(msg) },
  });
}
