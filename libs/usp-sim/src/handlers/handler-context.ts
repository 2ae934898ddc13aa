// What a message handler works with and what it hands back: the agent's data model and the
// requesting controller in, an answer (or none) and follow-up effects out. Handlers do no I/O.
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import type { UspErrorBody } from '../usp/usp-messages.ts';

/** The agent state a handler reads and changes. */
export interface HandlerContext {
  readonly model: DeviceModel;
  /** Endpoint id of the controller that sent the request (the Record's from_id). */
  readonly controllerId: string;
}

/** Work the agent does after answering: finishing an async command, stopping a Notify retry. */
export type AgentEffect =
  | {
      readonly kind: 'reboot';
      /** The Request instance created for it (`Device.LocalAgent.Request.1.`). */
      readonly requestPath: string;
      readonly commandKey: string;
      readonly controllerId: string;
    }
  | {
      /** A NotifyResp (or an Error) answered one of our Notify requests. */
      readonly kind: 'notifyAnswered';
      readonly msgId: string;
    };

/** A handler's answer: a response body or a USP Error. */
export type RequestOutcome =
  { readonly response: usp.IResponse } | { readonly error: UspErrorBody };

/** What handling one Msg produced. */
export interface HandlerResult {
  /** The Msg to send back, or undefined when none is due (responses, send_resp=false). */
  readonly reply: usp.IMsg | undefined;
  readonly effects: readonly AgentEffect[];
}
