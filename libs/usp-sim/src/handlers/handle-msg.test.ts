import { usp } from '@octomesh/contracts';
import { SUPPORTED_USP_VERSIONS } from '../model/sim-data-model.ts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { handleUspMsg } from './handle-msg.ts';
import {
  CONTROLLER_ID,
  errorOf,
  exchange,
  responseOf,
  testModel,
} from './test-support/usp-exchange.ts';

describe('handleUspMsg', () => {
  it('answers GetSupportedProtocol with the USP versions the agent speaks', () => {
    const answer = exchange(
      testModel(),
      { getSupportedProtocol: { controllerSupportedProtocolVersions: '1.3' } },
      'p-1',
    );
    expect(answer.reply?.header).toEqual(
      expect.objectContaining({
        msgId: 'p-1',
        msgType: usp.Header.MsgType.GET_SUPPORTED_PROTO_RESP,
      }),
    );
    expect(responseOf(answer).getSupportedProtocolResp!.agentSupportedProtocolVersions).toBe(
      SUPPORTED_USP_VERSIONS,
    );
  });

  it.each([
    [
      'Notify',
      { notify: { subscriptionId: 's', event: { objPath: 'Device.', eventName: 'Boot!' } } },
    ],
    ['Register', { register: { regPaths: [{ path: 'Device.Time.' }] } }],
    ['Deregister', { deregister: { paths: ['Device.Time.'] } }],
  ])('refuses a %s request with Error 7001', (kind, request) => {
    const answer = exchange(testModel(), request as usp.IRequest, 'x-1');
    expect(answer.reply?.header?.msgType).toBe(usp.Header.MsgType.ERROR);
    expect(answer.reply?.header?.msgId).toBe('x-1');
    expect(errorOf(answer)).toEqual(
      expect.objectContaining({
        errCode: UspErrorCodes.messageNotSupported,
        errMsg: expect.stringContaining(kind),
      }),
    );
  });

  it('takes a NotifyResp or an Error as the answer to its Notify and sends nothing back', () => {
    const ctx = { model: testModel(), controllerId: CONTROLLER_ID };
    const notifyResp = handleUspMsg(
      {
        header: { msgId: 'n-1', msgType: usp.Header.MsgType.NOTIFY_RESP },
        body: { response: { notifyResp: { subscriptionId: 's' } } },
      },
      ctx,
    );
    expect(notifyResp).toEqual({
      reply: undefined,
      effects: [{ kind: 'notifyAnswered', msgId: 'n-1' }],
    });
    const error = handleUspMsg(
      {
        header: { msgId: 'n-2', msgType: usp.Header.MsgType.ERROR },
        body: { error: { errCode: 7000 } },
      },
      ctx,
    );
    expect(error.effects).toEqual([{ kind: 'notifyAnswered', msgId: 'n-2' }]);
  });

  it('ignores other responses addressed to the agent', () => {
    const result = handleUspMsg(
      {
        header: { msgId: 'r-1', msgType: usp.Header.MsgType.GET_RESP },
        body: { response: { getResp: {} } },
      },
      { model: testModel(), controllerId: CONTROLLER_ID },
    );
    expect(result).toEqual({ reply: undefined, effects: [] });
  });

  it('turns an unexpected failure into Error 7003 instead of throwing', () => {
    const model = testModel();
    const broken = Object.create(model) as typeof model;
    broken.resolve = () => {
      throw new TypeError('boom');
    };
    const result = handleUspMsg(
      {
        header: { msgId: 'g-1', msgType: usp.Header.MsgType.GET },
        body: { request: { get: { paramPaths: ['Device.'] } } },
      },
      { model: broken, controllerId: CONTROLLER_ID },
    );
    expect(result.reply?.body?.error).toEqual(
      expect.objectContaining({
        errCode: UspErrorCodes.internalError,
        errMsg: expect.stringContaining('boom'),
      }),
    );
  });
});
