import * as $protobuf from "protobufjs";
import Long = require("long");
export namespace mesh {

    namespace acl {

        namespace v1 {

            enum Action {
                ACTION_UNSPECIFIED = 0,
                ACTION_PUBLISH = 1,
                ACTION_SUBSCRIBE = 2
            }

            interface ICheck {
                action?: (mesh.acl.v1.Action|null);
                topic?: (string|null);
            }

            class Check implements ICheck {
                constructor(properties?: mesh.acl.v1.ICheck);
                public action: mesh.acl.v1.Action;
                public topic: string;
                public static create(properties?: mesh.acl.v1.ICheck): mesh.acl.v1.Check;
                public static encode(message: mesh.acl.v1.ICheck, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.acl.v1.ICheck, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.acl.v1.Check;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.acl.v1.Check;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.acl.v1.Check;
                public static toObject(message: mesh.acl.v1.Check, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IAuthorizeRequest {
                identity?: (mesh.auth.v1.IIdentity|null);
                checks?: (mesh.acl.v1.ICheck[]|null);
                explain?: (boolean|null);
            }

            class AuthorizeRequest implements IAuthorizeRequest {
                constructor(properties?: mesh.acl.v1.IAuthorizeRequest);
                public identity?: (mesh.auth.v1.IIdentity|null);
                public checks: mesh.acl.v1.ICheck[];
                public explain: boolean;
                public static create(properties?: mesh.acl.v1.IAuthorizeRequest): mesh.acl.v1.AuthorizeRequest;
                public static encode(message: mesh.acl.v1.IAuthorizeRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.acl.v1.IAuthorizeRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.acl.v1.AuthorizeRequest;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.acl.v1.AuthorizeRequest;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.acl.v1.AuthorizeRequest;
                public static toObject(message: mesh.acl.v1.AuthorizeRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IVerdict {
                allow?: (boolean|null);
                reasonCode?: (number|null);
                ruleId?: (string|null);
                reason?: (string|null);
            }

            class Verdict implements IVerdict {
                constructor(properties?: mesh.acl.v1.IVerdict);
                public allow: boolean;
                public reasonCode: number;
                public ruleId: string;
                public reason: string;
                public static create(properties?: mesh.acl.v1.IVerdict): mesh.acl.v1.Verdict;
                public static encode(message: mesh.acl.v1.IVerdict, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.acl.v1.IVerdict, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.acl.v1.Verdict;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.acl.v1.Verdict;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.acl.v1.Verdict;
                public static toObject(message: mesh.acl.v1.Verdict, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IAuthorizeReply {
                verdicts?: (mesh.acl.v1.IVerdict[]|null);
                cacheTtlMs?: (number|null);
                rulesRevision?: (number|null);
            }

            class AuthorizeReply implements IAuthorizeReply {
                constructor(properties?: mesh.acl.v1.IAuthorizeReply);
                public verdicts: mesh.acl.v1.IVerdict[];
                public cacheTtlMs: number;
                public rulesRevision: number;
                public static create(properties?: mesh.acl.v1.IAuthorizeReply): mesh.acl.v1.AuthorizeReply;
                public static encode(message: mesh.acl.v1.IAuthorizeReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.acl.v1.IAuthorizeReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.acl.v1.AuthorizeReply;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.acl.v1.AuthorizeReply;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.acl.v1.AuthorizeReply;
                public static toObject(message: mesh.acl.v1.AuthorizeReply, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IRulesChanged {
                revision?: (number|null);
                ruleId?: (string|null);
                operation?: (string|null);
            }

            class RulesChanged implements IRulesChanged {
                constructor(properties?: mesh.acl.v1.IRulesChanged);
                public revision: number;
                public ruleId: string;
                public operation: string;
                public static create(properties?: mesh.acl.v1.IRulesChanged): mesh.acl.v1.RulesChanged;
                public static encode(message: mesh.acl.v1.IRulesChanged, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.acl.v1.IRulesChanged, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.acl.v1.RulesChanged;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.acl.v1.RulesChanged;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.acl.v1.RulesChanged;
                public static toObject(message: mesh.acl.v1.RulesChanged, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }
    }

    namespace auth {

        namespace v1 {

            interface IIdentity {
                subject?: (string|null);
                username?: (string|null);
                role?: (string|null);
                endpointId?: (string|null);
                clientId?: (string|null);
            }

            class Identity implements IIdentity {
                constructor(properties?: mesh.auth.v1.IIdentity);
                public subject: string;
                public username: string;
                public role: string;
                public endpointId: string;
                public clientId: string;
                public static create(properties?: mesh.auth.v1.IIdentity): mesh.auth.v1.Identity;
                public static encode(message: mesh.auth.v1.IIdentity, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.auth.v1.IIdentity, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.auth.v1.Identity;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.auth.v1.Identity;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.auth.v1.Identity;
                public static toObject(message: mesh.auth.v1.Identity, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IClientCertificate {
                subject?: (string|null);
                commonName?: (string|null);
                sanDns?: (string[]|null);
                sanUri?: (string[]|null);
                sanEmail?: (string[]|null);
                fingerprintSha256?: (string|null);
            }

            class ClientCertificate implements IClientCertificate {
                constructor(properties?: mesh.auth.v1.IClientCertificate);
                public subject: string;
                public commonName: string;
                public sanDns: string[];
                public sanUri: string[];
                public sanEmail: string[];
                public fingerprintSha256: string;
                public static create(properties?: mesh.auth.v1.IClientCertificate): mesh.auth.v1.ClientCertificate;
                public static encode(message: mesh.auth.v1.IClientCertificate, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.auth.v1.IClientCertificate, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.auth.v1.ClientCertificate;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.auth.v1.ClientCertificate;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.auth.v1.ClientCertificate;
                public static toObject(message: mesh.auth.v1.ClientCertificate, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IAuthenticateRequest {
                clientId?: (string|null);
                username?: (string|null);
                hasUsername?: (boolean|null);
                password?: (Uint8Array|null);
                hasPassword?: (boolean|null);
                sourceAddress?: (string|null);
                certificate?: (mesh.auth.v1.IClientCertificate|null);
                mqttVersion?: (number|null);
                endpointIdHint?: (string|null);
                listener?: (string|null);
            }

            class AuthenticateRequest implements IAuthenticateRequest {
                constructor(properties?: mesh.auth.v1.IAuthenticateRequest);
                public clientId: string;
                public username: string;
                public hasUsername: boolean;
                public password: Uint8Array;
                public hasPassword: boolean;
                public sourceAddress: string;
                public certificate?: (mesh.auth.v1.IClientCertificate|null);
                public mqttVersion: number;
                public endpointIdHint: string;
                public listener: string;
                public static create(properties?: mesh.auth.v1.IAuthenticateRequest): mesh.auth.v1.AuthenticateRequest;
                public static encode(message: mesh.auth.v1.IAuthenticateRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.auth.v1.IAuthenticateRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.auth.v1.AuthenticateRequest;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.auth.v1.AuthenticateRequest;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.auth.v1.AuthenticateRequest;
                public static toObject(message: mesh.auth.v1.AuthenticateRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IAuthenticateReply {
                allow?: (boolean|null);
                reasonCode?: (number|null);
                reason?: (string|null);
                identity?: (mesh.auth.v1.IIdentity|null);
                retryAfterMs?: (number|null);
            }

            class AuthenticateReply implements IAuthenticateReply {
                constructor(properties?: mesh.auth.v1.IAuthenticateReply);
                public allow: boolean;
                public reasonCode: number;
                public reason: string;
                public identity?: (mesh.auth.v1.IIdentity|null);
                public retryAfterMs: number;
                public static create(properties?: mesh.auth.v1.IAuthenticateReply): mesh.auth.v1.AuthenticateReply;
                public static encode(message: mesh.auth.v1.IAuthenticateReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.auth.v1.IAuthenticateReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.auth.v1.AuthenticateReply;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.auth.v1.AuthenticateReply;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.auth.v1.AuthenticateReply;
                public static toObject(message: mesh.auth.v1.AuthenticateReply, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IAccountRevoked {
                username?: (string|null);
                reason?: (string|null);
            }

            class AccountRevoked implements IAccountRevoked {
                constructor(properties?: mesh.auth.v1.IAccountRevoked);
                public username: string;
                public reason: string;
                public static create(properties?: mesh.auth.v1.IAccountRevoked): mesh.auth.v1.AccountRevoked;
                public static encode(message: mesh.auth.v1.IAccountRevoked, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.auth.v1.IAccountRevoked, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.auth.v1.AccountRevoked;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.auth.v1.AccountRevoked;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.auth.v1.AccountRevoked;
                public static toObject(message: mesh.auth.v1.AccountRevoked, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }
    }

    namespace broker {

        namespace v1 {

            interface IClientConnected {
                identity?: (mesh.auth.v1.IIdentity|null);
                clientId?: (string|null);
                mqttVersion?: (number|null);
                replica?: (string|null);
                sourceAddress?: (string|null);
                sessionPresent?: (boolean|null);
                listener?: (string|null);
                timestampMs?: (number|null);
            }

            class ClientConnected implements IClientConnected {
                constructor(properties?: mesh.broker.v1.IClientConnected);
                public identity?: (mesh.auth.v1.IIdentity|null);
                public clientId: string;
                public mqttVersion: number;
                public replica: string;
                public sourceAddress: string;
                public sessionPresent: boolean;
                public listener: string;
                public timestampMs: number;
                public static create(properties?: mesh.broker.v1.IClientConnected): mesh.broker.v1.ClientConnected;
                public static encode(message: mesh.broker.v1.IClientConnected, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.broker.v1.IClientConnected, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.broker.v1.ClientConnected;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.broker.v1.ClientConnected;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.broker.v1.ClientConnected;
                public static toObject(message: mesh.broker.v1.ClientConnected, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IClientDisconnected {
                identity?: (mesh.auth.v1.IIdentity|null);
                clientId?: (string|null);
                mqttVersion?: (number|null);
                replica?: (string|null);
                reasonCode?: (number|null);
                reason?: (string|null);
                willSent?: (boolean|null);
                timestampMs?: (number|null);
            }

            class ClientDisconnected implements IClientDisconnected {
                constructor(properties?: mesh.broker.v1.IClientDisconnected);
                public identity?: (mesh.auth.v1.IIdentity|null);
                public clientId: string;
                public mqttVersion: number;
                public replica: string;
                public reasonCode: number;
                public reason: string;
                public willSent: boolean;
                public timestampMs: number;
                public static create(properties?: mesh.broker.v1.IClientDisconnected): mesh.broker.v1.ClientDisconnected;
                public static encode(message: mesh.broker.v1.IClientDisconnected, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.broker.v1.IClientDisconnected, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.broker.v1.ClientDisconnected;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.broker.v1.ClientDisconnected;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.broker.v1.ClientDisconnected;
                public static toObject(message: mesh.broker.v1.ClientDisconnected, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IClientSubscribed {
                identity?: (mesh.auth.v1.IIdentity|null);
                clientId?: (string|null);
                filters?: (string[]|null);
                replica?: (string|null);
                timestampMs?: (number|null);
            }

            class ClientSubscribed implements IClientSubscribed {
                constructor(properties?: mesh.broker.v1.IClientSubscribed);
                public identity?: (mesh.auth.v1.IIdentity|null);
                public clientId: string;
                public filters: string[];
                public replica: string;
                public timestampMs: number;
                public static create(properties?: mesh.broker.v1.IClientSubscribed): mesh.broker.v1.ClientSubscribed;
                public static encode(message: mesh.broker.v1.IClientSubscribed, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.broker.v1.IClientSubscribed, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.broker.v1.ClientSubscribed;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.broker.v1.ClientSubscribed;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.broker.v1.ClientSubscribed;
                public static toObject(message: mesh.broker.v1.ClientSubscribed, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface ITakeover {
                clientId?: (string|null);
                replica?: (string|null);
                subject?: (string|null);
            }

            class Takeover implements ITakeover {
                constructor(properties?: mesh.broker.v1.ITakeover);
                public clientId: string;
                public replica: string;
                public subject: string;
                public static create(properties?: mesh.broker.v1.ITakeover): mesh.broker.v1.Takeover;
                public static encode(message: mesh.broker.v1.ITakeover, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.broker.v1.ITakeover, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.broker.v1.Takeover;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.broker.v1.Takeover;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.broker.v1.Takeover;
                public static toObject(message: mesh.broker.v1.Takeover, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }
    }

    namespace usp {

        namespace v1 {

            interface ISendRequest {
                endpointId?: (string|null);
                msg?: (Uint8Array|null);
                record?: (Uint8Array|null);
                timeoutMs?: (number|null);
                controllerId?: (string|null);
            }

            class SendRequest implements ISendRequest {
                constructor(properties?: mesh.usp.v1.ISendRequest);
                public endpointId: string;
                public msg: Uint8Array;
                public record: Uint8Array;
                public timeoutMs: number;
                public controllerId: string;
                public static create(properties?: mesh.usp.v1.ISendRequest): mesh.usp.v1.SendRequest;
                public static encode(message: mesh.usp.v1.ISendRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.ISendRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.SendRequest;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.SendRequest;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.SendRequest;
                public static toObject(message: mesh.usp.v1.SendRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface ISendReply {
                msg?: (Uint8Array|null);
                record?: (Uint8Array|null);
                rttMs?: (number|null);
            }

            class SendReply implements ISendReply {
                constructor(properties?: mesh.usp.v1.ISendReply);
                public msg: Uint8Array;
                public record: Uint8Array;
                public rttMs: number;
                public static create(properties?: mesh.usp.v1.ISendReply): mesh.usp.v1.SendReply;
                public static encode(message: mesh.usp.v1.ISendReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.ISendReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.SendReply;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.SendReply;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.SendReply;
                public static toObject(message: mesh.usp.v1.SendReply, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IEndpoint {
                endpointId?: (string|null);
                agentTopic?: (string|null);
                mqttVersion?: (number|null);
                online?: (boolean|null);
                lastSeenMs?: (number|null);
                replica?: (string|null);
                clientId?: (string|null);
                changedMs?: (number|null);
            }

            class Endpoint implements IEndpoint {
                constructor(properties?: mesh.usp.v1.IEndpoint);
                public endpointId: string;
                public agentTopic: string;
                public mqttVersion: number;
                public online: boolean;
                public lastSeenMs: number;
                public replica: string;
                public clientId: string;
                public changedMs: number;
                public static create(properties?: mesh.usp.v1.IEndpoint): mesh.usp.v1.Endpoint;
                public static encode(message: mesh.usp.v1.IEndpoint, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.IEndpoint, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.Endpoint;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.Endpoint;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.Endpoint;
                public static toObject(message: mesh.usp.v1.Endpoint, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IListEndpointsRequest {
                onlineOnly?: (boolean|null);
                prefix?: (string|null);
                limit?: (number|null);
            }

            class ListEndpointsRequest implements IListEndpointsRequest {
                constructor(properties?: mesh.usp.v1.IListEndpointsRequest);
                public onlineOnly: boolean;
                public prefix: string;
                public limit: number;
                public static create(properties?: mesh.usp.v1.IListEndpointsRequest): mesh.usp.v1.ListEndpointsRequest;
                public static encode(message: mesh.usp.v1.IListEndpointsRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.IListEndpointsRequest, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.ListEndpointsRequest;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.ListEndpointsRequest;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.ListEndpointsRequest;
                public static toObject(message: mesh.usp.v1.ListEndpointsRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IListEndpointsReply {
                endpoints?: (mesh.usp.v1.IEndpoint[]|null);
                truncated?: (boolean|null);
            }

            class ListEndpointsReply implements IListEndpointsReply {
                constructor(properties?: mesh.usp.v1.IListEndpointsReply);
                public endpoints: mesh.usp.v1.IEndpoint[];
                public truncated: boolean;
                public static create(properties?: mesh.usp.v1.IListEndpointsReply): mesh.usp.v1.ListEndpointsReply;
                public static encode(message: mesh.usp.v1.IListEndpointsReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.IListEndpointsReply, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.ListEndpointsReply;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.ListEndpointsReply;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.ListEndpointsReply;
                public static toObject(message: mesh.usp.v1.ListEndpointsReply, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface IPresenceEvent {
                endpoint?: (mesh.usp.v1.IEndpoint|null);
            }

            class PresenceEvent implements IPresenceEvent {
                constructor(properties?: mesh.usp.v1.IPresenceEvent);
                public endpoint?: (mesh.usp.v1.IEndpoint|null);
                public static create(properties?: mesh.usp.v1.IPresenceEvent): mesh.usp.v1.PresenceEvent;
                public static encode(message: mesh.usp.v1.IPresenceEvent, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.IPresenceEvent, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.PresenceEvent;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.PresenceEvent;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.PresenceEvent;
                public static toObject(message: mesh.usp.v1.PresenceEvent, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface INotifyEvent {
                endpointId?: (string|null);
                msg?: (Uint8Array|null);
                answered?: (boolean|null);
                receivedMs?: (number|null);
            }

            class NotifyEvent implements INotifyEvent {
                constructor(properties?: mesh.usp.v1.INotifyEvent);
                public endpointId: string;
                public msg: Uint8Array;
                public answered: boolean;
                public receivedMs: number;
                public static create(properties?: mesh.usp.v1.INotifyEvent): mesh.usp.v1.NotifyEvent;
                public static encode(message: mesh.usp.v1.INotifyEvent, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: mesh.usp.v1.INotifyEvent, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): mesh.usp.v1.NotifyEvent;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): mesh.usp.v1.NotifyEvent;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): mesh.usp.v1.NotifyEvent;
                public static toObject(message: mesh.usp.v1.NotifyEvent, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }
    }
}

export namespace usp {

    interface IMsg {
        header?: (usp.IHeader|null);
        body?: (usp.IBody|null);
    }

    class Msg implements IMsg {
        constructor(properties?: usp.IMsg);
        public header?: (usp.IHeader|null);
        public body?: (usp.IBody|null);
        public static create(properties?: usp.IMsg): usp.Msg;
        public static encode(message: usp.IMsg, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IMsg, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Msg;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Msg;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Msg;
        public static toObject(message: usp.Msg, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IHeader {
        msgId?: (string|null);
        msgType?: (usp.Header.MsgType|null);
    }

    class Header implements IHeader {
        constructor(properties?: usp.IHeader);
        public msgId: string;
        public msgType: usp.Header.MsgType;
        public static create(properties?: usp.IHeader): usp.Header;
        public static encode(message: usp.IHeader, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IHeader, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Header;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Header;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Header;
        public static toObject(message: usp.Header, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Header {

        enum MsgType {
            ERROR = 0,
            GET = 1,
            GET_RESP = 2,
            NOTIFY = 3,
            SET = 4,
            SET_RESP = 5,
            OPERATE = 6,
            OPERATE_RESP = 7,
            ADD = 8,
            ADD_RESP = 9,
            DELETE = 10,
            DELETE_RESP = 11,
            GET_SUPPORTED_DM = 12,
            GET_SUPPORTED_DM_RESP = 13,
            GET_INSTANCES = 14,
            GET_INSTANCES_RESP = 15,
            NOTIFY_RESP = 16,
            GET_SUPPORTED_PROTO = 17,
            GET_SUPPORTED_PROTO_RESP = 18,
            REGISTER = 19,
            REGISTER_RESP = 20,
            DEREGISTER = 21,
            DEREGISTER_RESP = 22
        }
    }

    interface IBody {
        request?: (usp.IRequest|null);
        response?: (usp.IResponse|null);
        error?: (usp.IError|null);
    }

    class Body implements IBody {
        constructor(properties?: usp.IBody);
        public request?: (usp.IRequest|null);
        public response?: (usp.IResponse|null);
        public error?: (usp.IError|null);
        public msgBody?: ("request"|"response"|"error");
        public static create(properties?: usp.IBody): usp.Body;
        public static encode(message: usp.IBody, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IBody, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Body;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Body;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Body;
        public static toObject(message: usp.Body, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IRequest {
        get?: (usp.IGet|null);
        getSupportedDm?: (usp.IGetSupportedDM|null);
        getInstances?: (usp.IGetInstances|null);
        set?: (usp.ISet|null);
        add?: (usp.IAdd|null);
        "delete"?: (usp.IDelete|null);
        operate?: (usp.IOperate|null);
        notify?: (usp.INotify|null);
        getSupportedProtocol?: (usp.IGetSupportedProtocol|null);
        register?: (usp.IRegister|null);
        deregister?: (usp.IDeregister|null);
    }

    class Request implements IRequest {
        constructor(properties?: usp.IRequest);
        public get?: (usp.IGet|null);
        public getSupportedDm?: (usp.IGetSupportedDM|null);
        public getInstances?: (usp.IGetInstances|null);
        public set?: (usp.ISet|null);
        public add?: (usp.IAdd|null);
        public delete?: (usp.IDelete|null);
        public operate?: (usp.IOperate|null);
        public notify?: (usp.INotify|null);
        public getSupportedProtocol?: (usp.IGetSupportedProtocol|null);
        public register?: (usp.IRegister|null);
        public deregister?: (usp.IDeregister|null);
        public reqType?: ("get"|"getSupportedDm"|"getInstances"|"set"|"add"|"delete"|"operate"|"notify"|"getSupportedProtocol"|"register"|"deregister");
        public static create(properties?: usp.IRequest): usp.Request;
        public static encode(message: usp.IRequest, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IRequest, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Request;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Request;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Request;
        public static toObject(message: usp.Request, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IResponse {
        getResp?: (usp.IGetResp|null);
        getSupportedDmResp?: (usp.IGetSupportedDMResp|null);
        getInstancesResp?: (usp.IGetInstancesResp|null);
        setResp?: (usp.ISetResp|null);
        addResp?: (usp.IAddResp|null);
        deleteResp?: (usp.IDeleteResp|null);
        operateResp?: (usp.IOperateResp|null);
        notifyResp?: (usp.INotifyResp|null);
        getSupportedProtocolResp?: (usp.IGetSupportedProtocolResp|null);
        registerResp?: (usp.IRegisterResp|null);
        deregisterResp?: (usp.IDeregisterResp|null);
    }

    class Response implements IResponse {
        constructor(properties?: usp.IResponse);
        public getResp?: (usp.IGetResp|null);
        public getSupportedDmResp?: (usp.IGetSupportedDMResp|null);
        public getInstancesResp?: (usp.IGetInstancesResp|null);
        public setResp?: (usp.ISetResp|null);
        public addResp?: (usp.IAddResp|null);
        public deleteResp?: (usp.IDeleteResp|null);
        public operateResp?: (usp.IOperateResp|null);
        public notifyResp?: (usp.INotifyResp|null);
        public getSupportedProtocolResp?: (usp.IGetSupportedProtocolResp|null);
        public registerResp?: (usp.IRegisterResp|null);
        public deregisterResp?: (usp.IDeregisterResp|null);
        public respType?: ("getResp"|"getSupportedDmResp"|"getInstancesResp"|"setResp"|"addResp"|"deleteResp"|"operateResp"|"notifyResp"|"getSupportedProtocolResp"|"registerResp"|"deregisterResp");
        public static create(properties?: usp.IResponse): usp.Response;
        public static encode(message: usp.IResponse, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IResponse, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Response;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Response;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Response;
        public static toObject(message: usp.Response, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IError {
        errCode?: (number|null);
        errMsg?: (string|null);
        paramErrs?: (usp.Error.IParamError[]|null);
    }

    class Error implements IError {
        constructor(properties?: usp.IError);
        public errCode: number;
        public errMsg: string;
        public paramErrs: usp.Error.IParamError[];
        public static create(properties?: usp.IError): usp.Error;
        public static encode(message: usp.IError, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IError, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Error;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Error;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Error;
        public static toObject(message: usp.Error, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Error {

        interface IParamError {
            paramPath?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
        }

        class ParamError implements IParamError {
            constructor(properties?: usp.Error.IParamError);
            public paramPath: string;
            public errCode: number;
            public errMsg: string;
            public static create(properties?: usp.Error.IParamError): usp.Error.ParamError;
            public static encode(message: usp.Error.IParamError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Error.IParamError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Error.ParamError;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Error.ParamError;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Error.ParamError;
            public static toObject(message: usp.Error.ParamError, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IGet {
        paramPaths?: (string[]|null);
        maxDepth?: (number|null);
    }

    class Get implements IGet {
        constructor(properties?: usp.IGet);
        public paramPaths: string[];
        public maxDepth: number;
        public static create(properties?: usp.IGet): usp.Get;
        public static encode(message: usp.IGet, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGet, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Get;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Get;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Get;
        public static toObject(message: usp.Get, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IGetResp {
        reqPathResults?: (usp.GetResp.IRequestedPathResult[]|null);
    }

    class GetResp implements IGetResp {
        constructor(properties?: usp.IGetResp);
        public reqPathResults: usp.GetResp.IRequestedPathResult[];
        public static create(properties?: usp.IGetResp): usp.GetResp;
        public static encode(message: usp.IGetResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetResp;
        public static toObject(message: usp.GetResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace GetResp {

        interface IRequestedPathResult {
            requestedPath?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
            resolvedPathResults?: (usp.GetResp.IResolvedPathResult[]|null);
        }

        class RequestedPathResult implements IRequestedPathResult {
            constructor(properties?: usp.GetResp.IRequestedPathResult);
            public requestedPath: string;
            public errCode: number;
            public errMsg: string;
            public resolvedPathResults: usp.GetResp.IResolvedPathResult[];
            public static create(properties?: usp.GetResp.IRequestedPathResult): usp.GetResp.RequestedPathResult;
            public static encode(message: usp.GetResp.IRequestedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetResp.IRequestedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetResp.RequestedPathResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetResp.RequestedPathResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetResp.RequestedPathResult;
            public static toObject(message: usp.GetResp.RequestedPathResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IResolvedPathResult {
            resolvedPath?: (string|null);
            resultParams?: ({ [k: string]: string }|null);
        }

        class ResolvedPathResult implements IResolvedPathResult {
            constructor(properties?: usp.GetResp.IResolvedPathResult);
            public resolvedPath: string;
            public resultParams: { [k: string]: string };
            public static create(properties?: usp.GetResp.IResolvedPathResult): usp.GetResp.ResolvedPathResult;
            public static encode(message: usp.GetResp.IResolvedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetResp.IResolvedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetResp.ResolvedPathResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetResp.ResolvedPathResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetResp.ResolvedPathResult;
            public static toObject(message: usp.GetResp.ResolvedPathResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IGetSupportedDM {
        objPaths?: (string[]|null);
        firstLevelOnly?: (boolean|null);
        returnCommands?: (boolean|null);
        returnEvents?: (boolean|null);
        returnParams?: (boolean|null);
        returnUniqueKeySets?: (boolean|null);
    }

    class GetSupportedDM implements IGetSupportedDM {
        constructor(properties?: usp.IGetSupportedDM);
        public objPaths: string[];
        public firstLevelOnly: boolean;
        public returnCommands: boolean;
        public returnEvents: boolean;
        public returnParams: boolean;
        public returnUniqueKeySets: boolean;
        public static create(properties?: usp.IGetSupportedDM): usp.GetSupportedDM;
        public static encode(message: usp.IGetSupportedDM, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetSupportedDM, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDM;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDM;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetSupportedDM;
        public static toObject(message: usp.GetSupportedDM, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IGetSupportedDMResp {
        reqObjResults?: (usp.GetSupportedDMResp.IRequestedObjectResult[]|null);
    }

    class GetSupportedDMResp implements IGetSupportedDMResp {
        constructor(properties?: usp.IGetSupportedDMResp);
        public reqObjResults: usp.GetSupportedDMResp.IRequestedObjectResult[];
        public static create(properties?: usp.IGetSupportedDMResp): usp.GetSupportedDMResp;
        public static encode(message: usp.IGetSupportedDMResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetSupportedDMResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp;
        public static toObject(message: usp.GetSupportedDMResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace GetSupportedDMResp {

        interface IRequestedObjectResult {
            reqObjPath?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
            dataModelInstUri?: (string|null);
            supportedObjs?: (usp.GetSupportedDMResp.ISupportedObjectResult[]|null);
        }

        class RequestedObjectResult implements IRequestedObjectResult {
            constructor(properties?: usp.GetSupportedDMResp.IRequestedObjectResult);
            public reqObjPath: string;
            public errCode: number;
            public errMsg: string;
            public dataModelInstUri: string;
            public supportedObjs: usp.GetSupportedDMResp.ISupportedObjectResult[];
            public static create(properties?: usp.GetSupportedDMResp.IRequestedObjectResult): usp.GetSupportedDMResp.RequestedObjectResult;
            public static encode(message: usp.GetSupportedDMResp.IRequestedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.IRequestedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.RequestedObjectResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.RequestedObjectResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.RequestedObjectResult;
            public static toObject(message: usp.GetSupportedDMResp.RequestedObjectResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ISupportedObjectResult {
            supportedObjPath?: (string|null);
            access?: (usp.GetSupportedDMResp.ObjAccessType|null);
            isMultiInstance?: (boolean|null);
            supportedCommands?: (usp.GetSupportedDMResp.ISupportedCommandResult[]|null);
            supportedEvents?: (usp.GetSupportedDMResp.ISupportedEventResult[]|null);
            supportedParams?: (usp.GetSupportedDMResp.ISupportedParamResult[]|null);
            divergentPaths?: (string[]|null);
            uniqueKeySets?: (usp.GetSupportedDMResp.ISupportedUniqueKeySet[]|null);
        }

        class SupportedObjectResult implements ISupportedObjectResult {
            constructor(properties?: usp.GetSupportedDMResp.ISupportedObjectResult);
            public supportedObjPath: string;
            public access: usp.GetSupportedDMResp.ObjAccessType;
            public isMultiInstance: boolean;
            public supportedCommands: usp.GetSupportedDMResp.ISupportedCommandResult[];
            public supportedEvents: usp.GetSupportedDMResp.ISupportedEventResult[];
            public supportedParams: usp.GetSupportedDMResp.ISupportedParamResult[];
            public divergentPaths: string[];
            public uniqueKeySets: usp.GetSupportedDMResp.ISupportedUniqueKeySet[];
            public static create(properties?: usp.GetSupportedDMResp.ISupportedObjectResult): usp.GetSupportedDMResp.SupportedObjectResult;
            public static encode(message: usp.GetSupportedDMResp.ISupportedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.ISupportedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.SupportedObjectResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.SupportedObjectResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.SupportedObjectResult;
            public static toObject(message: usp.GetSupportedDMResp.SupportedObjectResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ISupportedParamResult {
            paramName?: (string|null);
            access?: (usp.GetSupportedDMResp.ParamAccessType|null);
            valueType?: (usp.GetSupportedDMResp.ParamValueType|null);
            valueChange?: (usp.GetSupportedDMResp.ValueChangeType|null);
        }

        class SupportedParamResult implements ISupportedParamResult {
            constructor(properties?: usp.GetSupportedDMResp.ISupportedParamResult);
            public paramName: string;
            public access: usp.GetSupportedDMResp.ParamAccessType;
            public valueType: usp.GetSupportedDMResp.ParamValueType;
            public valueChange: usp.GetSupportedDMResp.ValueChangeType;
            public static create(properties?: usp.GetSupportedDMResp.ISupportedParamResult): usp.GetSupportedDMResp.SupportedParamResult;
            public static encode(message: usp.GetSupportedDMResp.ISupportedParamResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.ISupportedParamResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.SupportedParamResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.SupportedParamResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.SupportedParamResult;
            public static toObject(message: usp.GetSupportedDMResp.SupportedParamResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ISupportedCommandResult {
            commandName?: (string|null);
            inputArgNames?: (string[]|null);
            outputArgNames?: (string[]|null);
            commandType?: (usp.GetSupportedDMResp.CmdType|null);
        }

        class SupportedCommandResult implements ISupportedCommandResult {
            constructor(properties?: usp.GetSupportedDMResp.ISupportedCommandResult);
            public commandName: string;
            public inputArgNames: string[];
            public outputArgNames: string[];
            public commandType: usp.GetSupportedDMResp.CmdType;
            public static create(properties?: usp.GetSupportedDMResp.ISupportedCommandResult): usp.GetSupportedDMResp.SupportedCommandResult;
            public static encode(message: usp.GetSupportedDMResp.ISupportedCommandResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.ISupportedCommandResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.SupportedCommandResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.SupportedCommandResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.SupportedCommandResult;
            public static toObject(message: usp.GetSupportedDMResp.SupportedCommandResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ISupportedEventResult {
            eventName?: (string|null);
            argNames?: (string[]|null);
        }

        class SupportedEventResult implements ISupportedEventResult {
            constructor(properties?: usp.GetSupportedDMResp.ISupportedEventResult);
            public eventName: string;
            public argNames: string[];
            public static create(properties?: usp.GetSupportedDMResp.ISupportedEventResult): usp.GetSupportedDMResp.SupportedEventResult;
            public static encode(message: usp.GetSupportedDMResp.ISupportedEventResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.ISupportedEventResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.SupportedEventResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.SupportedEventResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.SupportedEventResult;
            public static toObject(message: usp.GetSupportedDMResp.SupportedEventResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ISupportedUniqueKeySet {
            keyNames?: (string[]|null);
        }

        class SupportedUniqueKeySet implements ISupportedUniqueKeySet {
            constructor(properties?: usp.GetSupportedDMResp.ISupportedUniqueKeySet);
            public keyNames: string[];
            public static create(properties?: usp.GetSupportedDMResp.ISupportedUniqueKeySet): usp.GetSupportedDMResp.SupportedUniqueKeySet;
            public static encode(message: usp.GetSupportedDMResp.ISupportedUniqueKeySet, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetSupportedDMResp.ISupportedUniqueKeySet, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedDMResp.SupportedUniqueKeySet;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedDMResp.SupportedUniqueKeySet;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetSupportedDMResp.SupportedUniqueKeySet;
            public static toObject(message: usp.GetSupportedDMResp.SupportedUniqueKeySet, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        enum ParamAccessType {
            PARAM_READ_ONLY = 0,
            PARAM_READ_WRITE = 1,
            PARAM_WRITE_ONLY = 2
        }

        enum ObjAccessType {
            OBJ_READ_ONLY = 0,
            OBJ_ADD_DELETE = 1,
            OBJ_ADD_ONLY = 2,
            OBJ_DELETE_ONLY = 3
        }

        enum ParamValueType {
            PARAM_UNKNOWN = 0,
            PARAM_BASE_64 = 1,
            PARAM_BOOLEAN = 2,
            PARAM_DATE_TIME = 3,
            PARAM_DECIMAL = 4,
            PARAM_HEX_BINARY = 5,
            PARAM_INT = 6,
            PARAM_LONG = 7,
            PARAM_STRING = 8,
            PARAM_UNSIGNED_INT = 9,
            PARAM_UNSIGNED_LONG = 10
        }

        enum ValueChangeType {
            VALUE_CHANGE_UNKNOWN = 0,
            VALUE_CHANGE_ALLOWED = 1,
            VALUE_CHANGE_WILL_IGNORE = 2
        }

        enum CmdType {
            CMD_UNKNOWN = 0,
            CMD_SYNC = 1,
            CMD_ASYNC = 2
        }
    }

    interface IGetInstances {
        objPaths?: (string[]|null);
        firstLevelOnly?: (boolean|null);
    }

    class GetInstances implements IGetInstances {
        constructor(properties?: usp.IGetInstances);
        public objPaths: string[];
        public firstLevelOnly: boolean;
        public static create(properties?: usp.IGetInstances): usp.GetInstances;
        public static encode(message: usp.IGetInstances, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetInstances, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetInstances;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetInstances;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetInstances;
        public static toObject(message: usp.GetInstances, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IGetInstancesResp {
        reqPathResults?: (usp.GetInstancesResp.IRequestedPathResult[]|null);
    }

    class GetInstancesResp implements IGetInstancesResp {
        constructor(properties?: usp.IGetInstancesResp);
        public reqPathResults: usp.GetInstancesResp.IRequestedPathResult[];
        public static create(properties?: usp.IGetInstancesResp): usp.GetInstancesResp;
        public static encode(message: usp.IGetInstancesResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetInstancesResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetInstancesResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetInstancesResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetInstancesResp;
        public static toObject(message: usp.GetInstancesResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace GetInstancesResp {

        interface IRequestedPathResult {
            requestedPath?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
            currInsts?: (usp.GetInstancesResp.ICurrInstance[]|null);
        }

        class RequestedPathResult implements IRequestedPathResult {
            constructor(properties?: usp.GetInstancesResp.IRequestedPathResult);
            public requestedPath: string;
            public errCode: number;
            public errMsg: string;
            public currInsts: usp.GetInstancesResp.ICurrInstance[];
            public static create(properties?: usp.GetInstancesResp.IRequestedPathResult): usp.GetInstancesResp.RequestedPathResult;
            public static encode(message: usp.GetInstancesResp.IRequestedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetInstancesResp.IRequestedPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetInstancesResp.RequestedPathResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetInstancesResp.RequestedPathResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetInstancesResp.RequestedPathResult;
            public static toObject(message: usp.GetInstancesResp.RequestedPathResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ICurrInstance {
            instantiatedObjPath?: (string|null);
            uniqueKeys?: ({ [k: string]: string }|null);
        }

        class CurrInstance implements ICurrInstance {
            constructor(properties?: usp.GetInstancesResp.ICurrInstance);
            public instantiatedObjPath: string;
            public uniqueKeys: { [k: string]: string };
            public static create(properties?: usp.GetInstancesResp.ICurrInstance): usp.GetInstancesResp.CurrInstance;
            public static encode(message: usp.GetInstancesResp.ICurrInstance, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.GetInstancesResp.ICurrInstance, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetInstancesResp.CurrInstance;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetInstancesResp.CurrInstance;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.GetInstancesResp.CurrInstance;
            public static toObject(message: usp.GetInstancesResp.CurrInstance, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IGetSupportedProtocol {
        controllerSupportedProtocolVersions?: (string|null);
    }

    class GetSupportedProtocol implements IGetSupportedProtocol {
        constructor(properties?: usp.IGetSupportedProtocol);
        public controllerSupportedProtocolVersions: string;
        public static create(properties?: usp.IGetSupportedProtocol): usp.GetSupportedProtocol;
        public static encode(message: usp.IGetSupportedProtocol, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetSupportedProtocol, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedProtocol;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedProtocol;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetSupportedProtocol;
        public static toObject(message: usp.GetSupportedProtocol, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IGetSupportedProtocolResp {
        agentSupportedProtocolVersions?: (string|null);
    }

    class GetSupportedProtocolResp implements IGetSupportedProtocolResp {
        constructor(properties?: usp.IGetSupportedProtocolResp);
        public agentSupportedProtocolVersions: string;
        public static create(properties?: usp.IGetSupportedProtocolResp): usp.GetSupportedProtocolResp;
        public static encode(message: usp.IGetSupportedProtocolResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IGetSupportedProtocolResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.GetSupportedProtocolResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.GetSupportedProtocolResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.GetSupportedProtocolResp;
        public static toObject(message: usp.GetSupportedProtocolResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IAdd {
        allowPartial?: (boolean|null);
        createObjs?: (usp.Add.ICreateObject[]|null);
    }

    class Add implements IAdd {
        constructor(properties?: usp.IAdd);
        public allowPartial: boolean;
        public createObjs: usp.Add.ICreateObject[];
        public static create(properties?: usp.IAdd): usp.Add;
        public static encode(message: usp.IAdd, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IAdd, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Add;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Add;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Add;
        public static toObject(message: usp.Add, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Add {

        interface ICreateObject {
            objPath?: (string|null);
            paramSettings?: (usp.Add.ICreateParamSetting[]|null);
        }

        class CreateObject implements ICreateObject {
            constructor(properties?: usp.Add.ICreateObject);
            public objPath: string;
            public paramSettings: usp.Add.ICreateParamSetting[];
            public static create(properties?: usp.Add.ICreateObject): usp.Add.CreateObject;
            public static encode(message: usp.Add.ICreateObject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Add.ICreateObject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Add.CreateObject;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Add.CreateObject;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Add.CreateObject;
            public static toObject(message: usp.Add.CreateObject, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface ICreateParamSetting {
            param?: (string|null);
            value?: (string|null);
            required?: (boolean|null);
        }

        class CreateParamSetting implements ICreateParamSetting {
            constructor(properties?: usp.Add.ICreateParamSetting);
            public param: string;
            public value: string;
            public required: boolean;
            public static create(properties?: usp.Add.ICreateParamSetting): usp.Add.CreateParamSetting;
            public static encode(message: usp.Add.ICreateParamSetting, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Add.ICreateParamSetting, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Add.CreateParamSetting;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Add.CreateParamSetting;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Add.CreateParamSetting;
            public static toObject(message: usp.Add.CreateParamSetting, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IAddResp {
        createdObjResults?: (usp.AddResp.ICreatedObjectResult[]|null);
    }

    class AddResp implements IAddResp {
        constructor(properties?: usp.IAddResp);
        public createdObjResults: usp.AddResp.ICreatedObjectResult[];
        public static create(properties?: usp.IAddResp): usp.AddResp;
        public static encode(message: usp.IAddResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IAddResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.AddResp;
        public static toObject(message: usp.AddResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace AddResp {

        interface ICreatedObjectResult {
            requestedPath?: (string|null);
            operStatus?: (usp.AddResp.CreatedObjectResult.IOperationStatus|null);
        }

        class CreatedObjectResult implements ICreatedObjectResult {
            constructor(properties?: usp.AddResp.ICreatedObjectResult);
            public requestedPath: string;
            public operStatus?: (usp.AddResp.CreatedObjectResult.IOperationStatus|null);
            public static create(properties?: usp.AddResp.ICreatedObjectResult): usp.AddResp.CreatedObjectResult;
            public static encode(message: usp.AddResp.ICreatedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.AddResp.ICreatedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp.CreatedObjectResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp.CreatedObjectResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.AddResp.CreatedObjectResult;
            public static toObject(message: usp.AddResp.CreatedObjectResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace CreatedObjectResult {

            interface IOperationStatus {
                operFailure?: (usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure|null);
                operSuccess?: (usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess|null);
            }

            class OperationStatus implements IOperationStatus {
                constructor(properties?: usp.AddResp.CreatedObjectResult.IOperationStatus);
                public operFailure?: (usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure|null);
                public operSuccess?: (usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess|null);
                public operStatus?: ("operFailure"|"operSuccess");
                public static create(properties?: usp.AddResp.CreatedObjectResult.IOperationStatus): usp.AddResp.CreatedObjectResult.OperationStatus;
                public static encode(message: usp.AddResp.CreatedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.AddResp.CreatedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp.CreatedObjectResult.OperationStatus;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp.CreatedObjectResult.OperationStatus;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.AddResp.CreatedObjectResult.OperationStatus;
                public static toObject(message: usp.AddResp.CreatedObjectResult.OperationStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            namespace OperationStatus {

                interface IOperationFailure {
                    errCode?: (number|null);
                    errMsg?: (string|null);
                }

                class OperationFailure implements IOperationFailure {
                    constructor(properties?: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure);
                    public errCode: number;
                    public errMsg: string;
                    public static create(properties?: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure): usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure;
                    public static encode(message: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure;
                    public static toObject(message: usp.AddResp.CreatedObjectResult.OperationStatus.OperationFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }

                interface IOperationSuccess {
                    instantiatedPath?: (string|null);
                    paramErrs?: (usp.AddResp.IParameterError[]|null);
                    uniqueKeys?: ({ [k: string]: string }|null);
                }

                class OperationSuccess implements IOperationSuccess {
                    constructor(properties?: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess);
                    public instantiatedPath: string;
                    public paramErrs: usp.AddResp.IParameterError[];
                    public uniqueKeys: { [k: string]: string };
                    public static create(properties?: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess): usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess;
                    public static encode(message: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess;
                    public static toObject(message: usp.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }
            }
        }

        interface IParameterError {
            param?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
        }

        class ParameterError implements IParameterError {
            constructor(properties?: usp.AddResp.IParameterError);
            public param: string;
            public errCode: number;
            public errMsg: string;
            public static create(properties?: usp.AddResp.IParameterError): usp.AddResp.ParameterError;
            public static encode(message: usp.AddResp.IParameterError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.AddResp.IParameterError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.AddResp.ParameterError;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.AddResp.ParameterError;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.AddResp.ParameterError;
            public static toObject(message: usp.AddResp.ParameterError, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IDelete {
        allowPartial?: (boolean|null);
        objPaths?: (string[]|null);
    }

    class Delete implements IDelete {
        constructor(properties?: usp.IDelete);
        public allowPartial: boolean;
        public objPaths: string[];
        public static create(properties?: usp.IDelete): usp.Delete;
        public static encode(message: usp.IDelete, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IDelete, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Delete;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Delete;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Delete;
        public static toObject(message: usp.Delete, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IDeleteResp {
        deletedObjResults?: (usp.DeleteResp.IDeletedObjectResult[]|null);
    }

    class DeleteResp implements IDeleteResp {
        constructor(properties?: usp.IDeleteResp);
        public deletedObjResults: usp.DeleteResp.IDeletedObjectResult[];
        public static create(properties?: usp.IDeleteResp): usp.DeleteResp;
        public static encode(message: usp.IDeleteResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IDeleteResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.DeleteResp;
        public static toObject(message: usp.DeleteResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace DeleteResp {

        interface IDeletedObjectResult {
            requestedPath?: (string|null);
            operStatus?: (usp.DeleteResp.DeletedObjectResult.IOperationStatus|null);
        }

        class DeletedObjectResult implements IDeletedObjectResult {
            constructor(properties?: usp.DeleteResp.IDeletedObjectResult);
            public requestedPath: string;
            public operStatus?: (usp.DeleteResp.DeletedObjectResult.IOperationStatus|null);
            public static create(properties?: usp.DeleteResp.IDeletedObjectResult): usp.DeleteResp.DeletedObjectResult;
            public static encode(message: usp.DeleteResp.IDeletedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.DeleteResp.IDeletedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp.DeletedObjectResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp.DeletedObjectResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.DeleteResp.DeletedObjectResult;
            public static toObject(message: usp.DeleteResp.DeletedObjectResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace DeletedObjectResult {

            interface IOperationStatus {
                operFailure?: (usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure|null);
                operSuccess?: (usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess|null);
            }

            class OperationStatus implements IOperationStatus {
                constructor(properties?: usp.DeleteResp.DeletedObjectResult.IOperationStatus);
                public operFailure?: (usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure|null);
                public operSuccess?: (usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess|null);
                public operStatus?: ("operFailure"|"operSuccess");
                public static create(properties?: usp.DeleteResp.DeletedObjectResult.IOperationStatus): usp.DeleteResp.DeletedObjectResult.OperationStatus;
                public static encode(message: usp.DeleteResp.DeletedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.DeleteResp.DeletedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp.DeletedObjectResult.OperationStatus;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp.DeletedObjectResult.OperationStatus;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.DeleteResp.DeletedObjectResult.OperationStatus;
                public static toObject(message: usp.DeleteResp.DeletedObjectResult.OperationStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            namespace OperationStatus {

                interface IOperationFailure {
                    errCode?: (number|null);
                    errMsg?: (string|null);
                }

                class OperationFailure implements IOperationFailure {
                    constructor(properties?: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure);
                    public errCode: number;
                    public errMsg: string;
                    public static create(properties?: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure;
                    public static encode(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure;
                    public static toObject(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }

                interface IOperationSuccess {
                    affectedPaths?: (string[]|null);
                    unaffectedPathErrs?: (usp.DeleteResp.IUnaffectedPathError[]|null);
                }

                class OperationSuccess implements IOperationSuccess {
                    constructor(properties?: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess);
                    public affectedPaths: string[];
                    public unaffectedPathErrs: usp.DeleteResp.IUnaffectedPathError[];
                    public static create(properties?: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess;
                    public static encode(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess;
                    public static toObject(message: usp.DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }
            }
        }

        interface IUnaffectedPathError {
            unaffectedPath?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
        }

        class UnaffectedPathError implements IUnaffectedPathError {
            constructor(properties?: usp.DeleteResp.IUnaffectedPathError);
            public unaffectedPath: string;
            public errCode: number;
            public errMsg: string;
            public static create(properties?: usp.DeleteResp.IUnaffectedPathError): usp.DeleteResp.UnaffectedPathError;
            public static encode(message: usp.DeleteResp.IUnaffectedPathError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.DeleteResp.IUnaffectedPathError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeleteResp.UnaffectedPathError;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeleteResp.UnaffectedPathError;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.DeleteResp.UnaffectedPathError;
            public static toObject(message: usp.DeleteResp.UnaffectedPathError, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface ISet {
        allowPartial?: (boolean|null);
        updateObjs?: (usp.Set.IUpdateObject[]|null);
    }

    class Set implements ISet {
        constructor(properties?: usp.ISet);
        public allowPartial: boolean;
        public updateObjs: usp.Set.IUpdateObject[];
        public static create(properties?: usp.ISet): usp.Set;
        public static encode(message: usp.ISet, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.ISet, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Set;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Set;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Set;
        public static toObject(message: usp.Set, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Set {

        interface IUpdateObject {
            objPath?: (string|null);
            paramSettings?: (usp.Set.IUpdateParamSetting[]|null);
        }

        class UpdateObject implements IUpdateObject {
            constructor(properties?: usp.Set.IUpdateObject);
            public objPath: string;
            public paramSettings: usp.Set.IUpdateParamSetting[];
            public static create(properties?: usp.Set.IUpdateObject): usp.Set.UpdateObject;
            public static encode(message: usp.Set.IUpdateObject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Set.IUpdateObject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Set.UpdateObject;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Set.UpdateObject;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Set.UpdateObject;
            public static toObject(message: usp.Set.UpdateObject, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IUpdateParamSetting {
            param?: (string|null);
            value?: (string|null);
            required?: (boolean|null);
        }

        class UpdateParamSetting implements IUpdateParamSetting {
            constructor(properties?: usp.Set.IUpdateParamSetting);
            public param: string;
            public value: string;
            public required: boolean;
            public static create(properties?: usp.Set.IUpdateParamSetting): usp.Set.UpdateParamSetting;
            public static encode(message: usp.Set.IUpdateParamSetting, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Set.IUpdateParamSetting, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Set.UpdateParamSetting;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Set.UpdateParamSetting;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Set.UpdateParamSetting;
            public static toObject(message: usp.Set.UpdateParamSetting, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface ISetResp {
        updatedObjResults?: (usp.SetResp.IUpdatedObjectResult[]|null);
    }

    class SetResp implements ISetResp {
        constructor(properties?: usp.ISetResp);
        public updatedObjResults: usp.SetResp.IUpdatedObjectResult[];
        public static create(properties?: usp.ISetResp): usp.SetResp;
        public static encode(message: usp.ISetResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.ISetResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.SetResp;
        public static toObject(message: usp.SetResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace SetResp {

        interface IUpdatedObjectResult {
            requestedPath?: (string|null);
            operStatus?: (usp.SetResp.UpdatedObjectResult.IOperationStatus|null);
        }

        class UpdatedObjectResult implements IUpdatedObjectResult {
            constructor(properties?: usp.SetResp.IUpdatedObjectResult);
            public requestedPath: string;
            public operStatus?: (usp.SetResp.UpdatedObjectResult.IOperationStatus|null);
            public static create(properties?: usp.SetResp.IUpdatedObjectResult): usp.SetResp.UpdatedObjectResult;
            public static encode(message: usp.SetResp.IUpdatedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.SetResp.IUpdatedObjectResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedObjectResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedObjectResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedObjectResult;
            public static toObject(message: usp.SetResp.UpdatedObjectResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace UpdatedObjectResult {

            interface IOperationStatus {
                operFailure?: (usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure|null);
                operSuccess?: (usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess|null);
            }

            class OperationStatus implements IOperationStatus {
                constructor(properties?: usp.SetResp.UpdatedObjectResult.IOperationStatus);
                public operFailure?: (usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure|null);
                public operSuccess?: (usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess|null);
                public operStatus?: ("operFailure"|"operSuccess");
                public static create(properties?: usp.SetResp.UpdatedObjectResult.IOperationStatus): usp.SetResp.UpdatedObjectResult.OperationStatus;
                public static encode(message: usp.SetResp.UpdatedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.SetResp.UpdatedObjectResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedObjectResult.OperationStatus;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedObjectResult.OperationStatus;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedObjectResult.OperationStatus;
                public static toObject(message: usp.SetResp.UpdatedObjectResult.OperationStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            namespace OperationStatus {

                interface IOperationFailure {
                    errCode?: (number|null);
                    errMsg?: (string|null);
                    updatedInstFailures?: (usp.SetResp.IUpdatedInstanceFailure[]|null);
                }

                class OperationFailure implements IOperationFailure {
                    constructor(properties?: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure);
                    public errCode: number;
                    public errMsg: string;
                    public updatedInstFailures: usp.SetResp.IUpdatedInstanceFailure[];
                    public static create(properties?: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure;
                    public static encode(message: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure;
                    public static toObject(message: usp.SetResp.UpdatedObjectResult.OperationStatus.OperationFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }

                interface IOperationSuccess {
                    updatedInstResults?: (usp.SetResp.IUpdatedInstanceResult[]|null);
                }

                class OperationSuccess implements IOperationSuccess {
                    constructor(properties?: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess);
                    public updatedInstResults: usp.SetResp.IUpdatedInstanceResult[];
                    public static create(properties?: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess;
                    public static encode(message: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.SetResp.UpdatedObjectResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess;
                    public static toObject(message: usp.SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }
            }
        }

        interface IUpdatedInstanceFailure {
            affectedPath?: (string|null);
            paramErrs?: (usp.SetResp.IParameterError[]|null);
        }

        class UpdatedInstanceFailure implements IUpdatedInstanceFailure {
            constructor(properties?: usp.SetResp.IUpdatedInstanceFailure);
            public affectedPath: string;
            public paramErrs: usp.SetResp.IParameterError[];
            public static create(properties?: usp.SetResp.IUpdatedInstanceFailure): usp.SetResp.UpdatedInstanceFailure;
            public static encode(message: usp.SetResp.IUpdatedInstanceFailure, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.SetResp.IUpdatedInstanceFailure, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedInstanceFailure;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedInstanceFailure;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedInstanceFailure;
            public static toObject(message: usp.SetResp.UpdatedInstanceFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IUpdatedInstanceResult {
            affectedPath?: (string|null);
            paramErrs?: (usp.SetResp.IParameterError[]|null);
            updatedParams?: ({ [k: string]: string }|null);
        }

        class UpdatedInstanceResult implements IUpdatedInstanceResult {
            constructor(properties?: usp.SetResp.IUpdatedInstanceResult);
            public affectedPath: string;
            public paramErrs: usp.SetResp.IParameterError[];
            public updatedParams: { [k: string]: string };
            public static create(properties?: usp.SetResp.IUpdatedInstanceResult): usp.SetResp.UpdatedInstanceResult;
            public static encode(message: usp.SetResp.IUpdatedInstanceResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.SetResp.IUpdatedInstanceResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.UpdatedInstanceResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.UpdatedInstanceResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.SetResp.UpdatedInstanceResult;
            public static toObject(message: usp.SetResp.UpdatedInstanceResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IParameterError {
            param?: (string|null);
            errCode?: (number|null);
            errMsg?: (string|null);
        }

        class ParameterError implements IParameterError {
            constructor(properties?: usp.SetResp.IParameterError);
            public param: string;
            public errCode: number;
            public errMsg: string;
            public static create(properties?: usp.SetResp.IParameterError): usp.SetResp.ParameterError;
            public static encode(message: usp.SetResp.IParameterError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.SetResp.IParameterError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.SetResp.ParameterError;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.SetResp.ParameterError;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.SetResp.ParameterError;
            public static toObject(message: usp.SetResp.ParameterError, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IOperate {
        command?: (string|null);
        commandKey?: (string|null);
        sendResp?: (boolean|null);
        inputArgs?: ({ [k: string]: string }|null);
    }

    class Operate implements IOperate {
        constructor(properties?: usp.IOperate);
        public command: string;
        public commandKey: string;
        public sendResp: boolean;
        public inputArgs: { [k: string]: string };
        public static create(properties?: usp.IOperate): usp.Operate;
        public static encode(message: usp.IOperate, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IOperate, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Operate;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Operate;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Operate;
        public static toObject(message: usp.Operate, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IOperateResp {
        operationResults?: (usp.OperateResp.IOperationResult[]|null);
    }

    class OperateResp implements IOperateResp {
        constructor(properties?: usp.IOperateResp);
        public operationResults: usp.OperateResp.IOperationResult[];
        public static create(properties?: usp.IOperateResp): usp.OperateResp;
        public static encode(message: usp.IOperateResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IOperateResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.OperateResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.OperateResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.OperateResp;
        public static toObject(message: usp.OperateResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace OperateResp {

        interface IOperationResult {
            executedCommand?: (string|null);
            reqObjPath?: (string|null);
            reqOutputArgs?: (usp.OperateResp.OperationResult.IOutputArgs|null);
            cmdFailure?: (usp.OperateResp.OperationResult.ICommandFailure|null);
        }

        class OperationResult implements IOperationResult {
            constructor(properties?: usp.OperateResp.IOperationResult);
            public executedCommand: string;
            public reqObjPath?: (string|null);
            public reqOutputArgs?: (usp.OperateResp.OperationResult.IOutputArgs|null);
            public cmdFailure?: (usp.OperateResp.OperationResult.ICommandFailure|null);
            public operationResp?: ("reqObjPath"|"reqOutputArgs"|"cmdFailure");
            public static create(properties?: usp.OperateResp.IOperationResult): usp.OperateResp.OperationResult;
            public static encode(message: usp.OperateResp.IOperationResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.OperateResp.IOperationResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.OperateResp.OperationResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.OperateResp.OperationResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.OperateResp.OperationResult;
            public static toObject(message: usp.OperateResp.OperationResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace OperationResult {

            interface IOutputArgs {
                outputArgs?: ({ [k: string]: string }|null);
            }

            class OutputArgs implements IOutputArgs {
                constructor(properties?: usp.OperateResp.OperationResult.IOutputArgs);
                public outputArgs: { [k: string]: string };
                public static create(properties?: usp.OperateResp.OperationResult.IOutputArgs): usp.OperateResp.OperationResult.OutputArgs;
                public static encode(message: usp.OperateResp.OperationResult.IOutputArgs, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.OperateResp.OperationResult.IOutputArgs, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.OperateResp.OperationResult.OutputArgs;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.OperateResp.OperationResult.OutputArgs;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.OperateResp.OperationResult.OutputArgs;
                public static toObject(message: usp.OperateResp.OperationResult.OutputArgs, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface ICommandFailure {
                errCode?: (number|null);
                errMsg?: (string|null);
            }

            class CommandFailure implements ICommandFailure {
                constructor(properties?: usp.OperateResp.OperationResult.ICommandFailure);
                public errCode: number;
                public errMsg: string;
                public static create(properties?: usp.OperateResp.OperationResult.ICommandFailure): usp.OperateResp.OperationResult.CommandFailure;
                public static encode(message: usp.OperateResp.OperationResult.ICommandFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.OperateResp.OperationResult.ICommandFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.OperateResp.OperationResult.CommandFailure;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.OperateResp.OperationResult.CommandFailure;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.OperateResp.OperationResult.CommandFailure;
                public static toObject(message: usp.OperateResp.OperationResult.CommandFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }
    }

    interface INotify {
        subscriptionId?: (string|null);
        sendResp?: (boolean|null);
        event?: (usp.Notify.IEvent|null);
        valueChange?: (usp.Notify.IValueChange|null);
        objCreation?: (usp.Notify.IObjectCreation|null);
        objDeletion?: (usp.Notify.IObjectDeletion|null);
        operComplete?: (usp.Notify.IOperationComplete|null);
        onBoardReq?: (usp.Notify.IOnBoardRequest|null);
    }

    class Notify implements INotify {
        constructor(properties?: usp.INotify);
        public subscriptionId: string;
        public sendResp: boolean;
        public event?: (usp.Notify.IEvent|null);
        public valueChange?: (usp.Notify.IValueChange|null);
        public objCreation?: (usp.Notify.IObjectCreation|null);
        public objDeletion?: (usp.Notify.IObjectDeletion|null);
        public operComplete?: (usp.Notify.IOperationComplete|null);
        public onBoardReq?: (usp.Notify.IOnBoardRequest|null);
        public notification?: ("event"|"valueChange"|"objCreation"|"objDeletion"|"operComplete"|"onBoardReq");
        public static create(properties?: usp.INotify): usp.Notify;
        public static encode(message: usp.INotify, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.INotify, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Notify;
        public static toObject(message: usp.Notify, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Notify {

        interface IEvent {
            objPath?: (string|null);
            eventName?: (string|null);
            params?: ({ [k: string]: string }|null);
        }

        class Event implements IEvent {
            constructor(properties?: usp.Notify.IEvent);
            public objPath: string;
            public eventName: string;
            public params: { [k: string]: string };
            public static create(properties?: usp.Notify.IEvent): usp.Notify.Event;
            public static encode(message: usp.Notify.IEvent, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IEvent, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.Event;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.Event;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.Event;
            public static toObject(message: usp.Notify.Event, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IValueChange {
            paramPath?: (string|null);
            paramValue?: (string|null);
        }

        class ValueChange implements IValueChange {
            constructor(properties?: usp.Notify.IValueChange);
            public paramPath: string;
            public paramValue: string;
            public static create(properties?: usp.Notify.IValueChange): usp.Notify.ValueChange;
            public static encode(message: usp.Notify.IValueChange, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IValueChange, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.ValueChange;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.ValueChange;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.ValueChange;
            public static toObject(message: usp.Notify.ValueChange, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IObjectCreation {
            objPath?: (string|null);
            uniqueKeys?: ({ [k: string]: string }|null);
        }

        class ObjectCreation implements IObjectCreation {
            constructor(properties?: usp.Notify.IObjectCreation);
            public objPath: string;
            public uniqueKeys: { [k: string]: string };
            public static create(properties?: usp.Notify.IObjectCreation): usp.Notify.ObjectCreation;
            public static encode(message: usp.Notify.IObjectCreation, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IObjectCreation, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.ObjectCreation;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.ObjectCreation;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.ObjectCreation;
            public static toObject(message: usp.Notify.ObjectCreation, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IObjectDeletion {
            objPath?: (string|null);
        }

        class ObjectDeletion implements IObjectDeletion {
            constructor(properties?: usp.Notify.IObjectDeletion);
            public objPath: string;
            public static create(properties?: usp.Notify.IObjectDeletion): usp.Notify.ObjectDeletion;
            public static encode(message: usp.Notify.IObjectDeletion, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IObjectDeletion, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.ObjectDeletion;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.ObjectDeletion;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.ObjectDeletion;
            public static toObject(message: usp.Notify.ObjectDeletion, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        interface IOperationComplete {
            objPath?: (string|null);
            commandName?: (string|null);
            commandKey?: (string|null);
            reqOutputArgs?: (usp.Notify.OperationComplete.IOutputArgs|null);
            cmdFailure?: (usp.Notify.OperationComplete.ICommandFailure|null);
        }

        class OperationComplete implements IOperationComplete {
            constructor(properties?: usp.Notify.IOperationComplete);
            public objPath: string;
            public commandName: string;
            public commandKey: string;
            public reqOutputArgs?: (usp.Notify.OperationComplete.IOutputArgs|null);
            public cmdFailure?: (usp.Notify.OperationComplete.ICommandFailure|null);
            public operationResp?: ("reqOutputArgs"|"cmdFailure");
            public static create(properties?: usp.Notify.IOperationComplete): usp.Notify.OperationComplete;
            public static encode(message: usp.Notify.IOperationComplete, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IOperationComplete, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.OperationComplete;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.OperationComplete;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.OperationComplete;
            public static toObject(message: usp.Notify.OperationComplete, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace OperationComplete {

            interface IOutputArgs {
                outputArgs?: ({ [k: string]: string }|null);
            }

            class OutputArgs implements IOutputArgs {
                constructor(properties?: usp.Notify.OperationComplete.IOutputArgs);
                public outputArgs: { [k: string]: string };
                public static create(properties?: usp.Notify.OperationComplete.IOutputArgs): usp.Notify.OperationComplete.OutputArgs;
                public static encode(message: usp.Notify.OperationComplete.IOutputArgs, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.Notify.OperationComplete.IOutputArgs, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.OperationComplete.OutputArgs;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.OperationComplete.OutputArgs;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.Notify.OperationComplete.OutputArgs;
                public static toObject(message: usp.Notify.OperationComplete.OutputArgs, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            interface ICommandFailure {
                errCode?: (number|null);
                errMsg?: (string|null);
            }

            class CommandFailure implements ICommandFailure {
                constructor(properties?: usp.Notify.OperationComplete.ICommandFailure);
                public errCode: number;
                public errMsg: string;
                public static create(properties?: usp.Notify.OperationComplete.ICommandFailure): usp.Notify.OperationComplete.CommandFailure;
                public static encode(message: usp.Notify.OperationComplete.ICommandFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.Notify.OperationComplete.ICommandFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.OperationComplete.CommandFailure;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.OperationComplete.CommandFailure;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.Notify.OperationComplete.CommandFailure;
                public static toObject(message: usp.Notify.OperationComplete.CommandFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }
        }

        interface IOnBoardRequest {
            oui?: (string|null);
            productClass?: (string|null);
            serialNumber?: (string|null);
            agentSupportedProtocolVersions?: (string|null);
        }

        class OnBoardRequest implements IOnBoardRequest {
            constructor(properties?: usp.Notify.IOnBoardRequest);
            public oui: string;
            public productClass: string;
            public serialNumber: string;
            public agentSupportedProtocolVersions: string;
            public static create(properties?: usp.Notify.IOnBoardRequest): usp.Notify.OnBoardRequest;
            public static encode(message: usp.Notify.IOnBoardRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Notify.IOnBoardRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Notify.OnBoardRequest;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Notify.OnBoardRequest;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Notify.OnBoardRequest;
            public static toObject(message: usp.Notify.OnBoardRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface INotifyResp {
        subscriptionId?: (string|null);
    }

    class NotifyResp implements INotifyResp {
        constructor(properties?: usp.INotifyResp);
        public subscriptionId: string;
        public static create(properties?: usp.INotifyResp): usp.NotifyResp;
        public static encode(message: usp.INotifyResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.INotifyResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.NotifyResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.NotifyResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.NotifyResp;
        public static toObject(message: usp.NotifyResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IRegister {
        allowPartial?: (boolean|null);
        regPaths?: (usp.Register.IRegistrationPath[]|null);
    }

    class Register implements IRegister {
        constructor(properties?: usp.IRegister);
        public allowPartial: boolean;
        public regPaths: usp.Register.IRegistrationPath[];
        public static create(properties?: usp.IRegister): usp.Register;
        public static encode(message: usp.IRegister, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IRegister, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Register;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Register;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Register;
        public static toObject(message: usp.Register, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Register {

        interface IRegistrationPath {
            path?: (string|null);
        }

        class RegistrationPath implements IRegistrationPath {
            constructor(properties?: usp.Register.IRegistrationPath);
            public path: string;
            public static create(properties?: usp.Register.IRegistrationPath): usp.Register.RegistrationPath;
            public static encode(message: usp.Register.IRegistrationPath, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.Register.IRegistrationPath, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Register.RegistrationPath;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Register.RegistrationPath;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.Register.RegistrationPath;
            public static toObject(message: usp.Register.RegistrationPath, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }
    }

    interface IRegisterResp {
        registeredPathResults?: (usp.RegisterResp.IRegisteredPathResult[]|null);
    }

    class RegisterResp implements IRegisterResp {
        constructor(properties?: usp.IRegisterResp);
        public registeredPathResults: usp.RegisterResp.IRegisteredPathResult[];
        public static create(properties?: usp.IRegisterResp): usp.RegisterResp;
        public static encode(message: usp.IRegisterResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IRegisterResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.RegisterResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.RegisterResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.RegisterResp;
        public static toObject(message: usp.RegisterResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace RegisterResp {

        interface IRegisteredPathResult {
            requestedPath?: (string|null);
            operStatus?: (usp.RegisterResp.RegisteredPathResult.IOperationStatus|null);
        }

        class RegisteredPathResult implements IRegisteredPathResult {
            constructor(properties?: usp.RegisterResp.IRegisteredPathResult);
            public requestedPath: string;
            public operStatus?: (usp.RegisterResp.RegisteredPathResult.IOperationStatus|null);
            public static create(properties?: usp.RegisterResp.IRegisteredPathResult): usp.RegisterResp.RegisteredPathResult;
            public static encode(message: usp.RegisterResp.IRegisteredPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.RegisterResp.IRegisteredPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.RegisterResp.RegisteredPathResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.RegisterResp.RegisteredPathResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.RegisterResp.RegisteredPathResult;
            public static toObject(message: usp.RegisterResp.RegisteredPathResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace RegisteredPathResult {

            interface IOperationStatus {
                operFailure?: (usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure|null);
                operSuccess?: (usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess|null);
            }

            class OperationStatus implements IOperationStatus {
                constructor(properties?: usp.RegisterResp.RegisteredPathResult.IOperationStatus);
                public operFailure?: (usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure|null);
                public operSuccess?: (usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess|null);
                public operStatus?: ("operFailure"|"operSuccess");
                public static create(properties?: usp.RegisterResp.RegisteredPathResult.IOperationStatus): usp.RegisterResp.RegisteredPathResult.OperationStatus;
                public static encode(message: usp.RegisterResp.RegisteredPathResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.RegisterResp.RegisteredPathResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.RegisterResp.RegisteredPathResult.OperationStatus;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.RegisterResp.RegisteredPathResult.OperationStatus;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.RegisterResp.RegisteredPathResult.OperationStatus;
                public static toObject(message: usp.RegisterResp.RegisteredPathResult.OperationStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            namespace OperationStatus {

                interface IOperationFailure {
                    errCode?: (number|null);
                    errMsg?: (string|null);
                }

                class OperationFailure implements IOperationFailure {
                    constructor(properties?: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure);
                    public errCode: number;
                    public errMsg: string;
                    public static create(properties?: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure;
                    public static encode(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure;
                    public static toObject(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }

                interface IOperationSuccess {
                    registeredPath?: (string|null);
                }

                class OperationSuccess implements IOperationSuccess {
                    constructor(properties?: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess);
                    public registeredPath: string;
                    public static create(properties?: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess;
                    public static encode(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess;
                    public static toObject(message: usp.RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }
            }
        }
    }

    interface IDeregister {
        paths?: (string[]|null);
    }

    class Deregister implements IDeregister {
        constructor(properties?: usp.IDeregister);
        public paths: string[];
        public static create(properties?: usp.IDeregister): usp.Deregister;
        public static encode(message: usp.IDeregister, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IDeregister, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.Deregister;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.Deregister;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.Deregister;
        public static toObject(message: usp.Deregister, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IDeregisterResp {
        deregisteredPathResults?: (usp.DeregisterResp.IDeregisteredPathResult[]|null);
    }

    class DeregisterResp implements IDeregisterResp {
        constructor(properties?: usp.IDeregisterResp);
        public deregisteredPathResults: usp.DeregisterResp.IDeregisteredPathResult[];
        public static create(properties?: usp.IDeregisterResp): usp.DeregisterResp;
        public static encode(message: usp.IDeregisterResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp.IDeregisterResp, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeregisterResp;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeregisterResp;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp.DeregisterResp;
        public static toObject(message: usp.DeregisterResp, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace DeregisterResp {

        interface IDeregisteredPathResult {
            requestedPath?: (string|null);
            operStatus?: (usp.DeregisterResp.DeregisteredPathResult.IOperationStatus|null);
        }

        class DeregisteredPathResult implements IDeregisteredPathResult {
            constructor(properties?: usp.DeregisterResp.IDeregisteredPathResult);
            public requestedPath: string;
            public operStatus?: (usp.DeregisterResp.DeregisteredPathResult.IOperationStatus|null);
            public static create(properties?: usp.DeregisterResp.IDeregisteredPathResult): usp.DeregisterResp.DeregisteredPathResult;
            public static encode(message: usp.DeregisterResp.IDeregisteredPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static encodeDelimited(message: usp.DeregisterResp.IDeregisteredPathResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeregisterResp.DeregisteredPathResult;
            public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeregisterResp.DeregisteredPathResult;
            public static verify(message: { [k: string]: any }): (string|null);
            public static fromObject(object: { [k: string]: any }): usp.DeregisterResp.DeregisteredPathResult;
            public static toObject(message: usp.DeregisterResp.DeregisteredPathResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
            public static getTypeUrl(typeUrlPrefix?: string): string;
        }

        namespace DeregisteredPathResult {

            interface IOperationStatus {
                operFailure?: (usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure|null);
                operSuccess?: (usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess|null);
            }

            class OperationStatus implements IOperationStatus {
                constructor(properties?: usp.DeregisterResp.DeregisteredPathResult.IOperationStatus);
                public operFailure?: (usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure|null);
                public operSuccess?: (usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess|null);
                public operStatus?: ("operFailure"|"operSuccess");
                public static create(properties?: usp.DeregisterResp.DeregisteredPathResult.IOperationStatus): usp.DeregisterResp.DeregisteredPathResult.OperationStatus;
                public static encode(message: usp.DeregisterResp.DeregisteredPathResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static encodeDelimited(message: usp.DeregisterResp.DeregisteredPathResult.IOperationStatus, writer?: $protobuf.Writer): $protobuf.Writer;
                public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeregisterResp.DeregisteredPathResult.OperationStatus;
                public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeregisterResp.DeregisteredPathResult.OperationStatus;
                public static verify(message: { [k: string]: any }): (string|null);
                public static fromObject(object: { [k: string]: any }): usp.DeregisterResp.DeregisteredPathResult.OperationStatus;
                public static toObject(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
                public toJSON(): { [k: string]: any };
                public static getTypeUrl(typeUrlPrefix?: string): string;
            }

            namespace OperationStatus {

                interface IOperationFailure {
                    errCode?: (number|null);
                    errMsg?: (string|null);
                }

                class OperationFailure implements IOperationFailure {
                    constructor(properties?: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure);
                    public errCode: number;
                    public errMsg: string;
                    public static create(properties?: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure;
                    public static encode(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationFailure, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure;
                    public static toObject(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }

                interface IOperationSuccess {
                    deregisteredPath?: (string[]|null);
                }

                class OperationSuccess implements IOperationSuccess {
                    constructor(properties?: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess);
                    public deregisteredPath: string[];
                    public static create(properties?: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess;
                    public static encode(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static encodeDelimited(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.IOperationSuccess, writer?: $protobuf.Writer): $protobuf.Writer;
                    public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess;
                    public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess;
                    public static verify(message: { [k: string]: any }): (string|null);
                    public static fromObject(object: { [k: string]: any }): usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess;
                    public static toObject(message: usp.DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess, options?: $protobuf.IConversionOptions): { [k: string]: any };
                    public toJSON(): { [k: string]: any };
                    public static getTypeUrl(typeUrlPrefix?: string): string;
                }
            }
        }
    }
}

export namespace usp_record {

    interface IRecord {
        version?: (string|null);
        toId?: (string|null);
        fromId?: (string|null);
        payloadSecurity?: (usp_record.Record.PayloadSecurity|null);
        macSignature?: (Uint8Array|null);
        senderCert?: (Uint8Array|null);
        noSessionContext?: (usp_record.INoSessionContextRecord|null);
        sessionContext?: (usp_record.ISessionContextRecord|null);
        websocketConnect?: (usp_record.IWebSocketConnectRecord|null);
        mqttConnect?: (usp_record.IMQTTConnectRecord|null);
        stompConnect?: (usp_record.ISTOMPConnectRecord|null);
        disconnect?: (usp_record.IDisconnectRecord|null);
        udsConnect?: (usp_record.IUDSConnectRecord|null);
    }

    class Record implements IRecord {
        constructor(properties?: usp_record.IRecord);
        public version: string;
        public toId: string;
        public fromId: string;
        public payloadSecurity: usp_record.Record.PayloadSecurity;
        public macSignature: Uint8Array;
        public senderCert: Uint8Array;
        public noSessionContext?: (usp_record.INoSessionContextRecord|null);
        public sessionContext?: (usp_record.ISessionContextRecord|null);
        public websocketConnect?: (usp_record.IWebSocketConnectRecord|null);
        public mqttConnect?: (usp_record.IMQTTConnectRecord|null);
        public stompConnect?: (usp_record.ISTOMPConnectRecord|null);
        public disconnect?: (usp_record.IDisconnectRecord|null);
        public udsConnect?: (usp_record.IUDSConnectRecord|null);
        public recordType?: ("noSessionContext"|"sessionContext"|"websocketConnect"|"mqttConnect"|"stompConnect"|"disconnect"|"udsConnect");
        public static create(properties?: usp_record.IRecord): usp_record.Record;
        public static encode(message: usp_record.IRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.IRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.Record;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.Record;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.Record;
        public static toObject(message: usp_record.Record, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace Record {

        enum PayloadSecurity {
            PLAINTEXT = 0,
            TLS12 = 1
        }
    }

    interface INoSessionContextRecord {
        payload?: (Uint8Array|null);
    }

    class NoSessionContextRecord implements INoSessionContextRecord {
        constructor(properties?: usp_record.INoSessionContextRecord);
        public payload: Uint8Array;
        public static create(properties?: usp_record.INoSessionContextRecord): usp_record.NoSessionContextRecord;
        public static encode(message: usp_record.INoSessionContextRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.INoSessionContextRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.NoSessionContextRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.NoSessionContextRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.NoSessionContextRecord;
        public static toObject(message: usp_record.NoSessionContextRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface ISessionContextRecord {
        sessionId?: (number|null);
        sequenceId?: (number|null);
        expectedId?: (number|null);
        retransmitId?: (number|null);
        payloadSarState?: (usp_record.SessionContextRecord.PayloadSARState|null);
        payloadrecSarState?: (usp_record.SessionContextRecord.PayloadSARState|null);
        payload?: (Uint8Array[]|null);
    }

    class SessionContextRecord implements ISessionContextRecord {
        constructor(properties?: usp_record.ISessionContextRecord);
        public sessionId: number;
        public sequenceId: number;
        public expectedId: number;
        public retransmitId: number;
        public payloadSarState: usp_record.SessionContextRecord.PayloadSARState;
        public payloadrecSarState: usp_record.SessionContextRecord.PayloadSARState;
        public payload: Uint8Array[];
        public static create(properties?: usp_record.ISessionContextRecord): usp_record.SessionContextRecord;
        public static encode(message: usp_record.ISessionContextRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.ISessionContextRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.SessionContextRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.SessionContextRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.SessionContextRecord;
        public static toObject(message: usp_record.SessionContextRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace SessionContextRecord {

        enum PayloadSARState {
            NONE = 0,
            BEGIN = 1,
            INPROCESS = 2,
            COMPLETE = 3
        }
    }

    interface IWebSocketConnectRecord {
    }

    class WebSocketConnectRecord implements IWebSocketConnectRecord {
        constructor(properties?: usp_record.IWebSocketConnectRecord);
        public static create(properties?: usp_record.IWebSocketConnectRecord): usp_record.WebSocketConnectRecord;
        public static encode(message: usp_record.IWebSocketConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.IWebSocketConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.WebSocketConnectRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.WebSocketConnectRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.WebSocketConnectRecord;
        public static toObject(message: usp_record.WebSocketConnectRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IMQTTConnectRecord {
        version?: (usp_record.MQTTConnectRecord.MQTTVersion|null);
        subscribedTopic?: (string|null);
    }

    class MQTTConnectRecord implements IMQTTConnectRecord {
        constructor(properties?: usp_record.IMQTTConnectRecord);
        public version: usp_record.MQTTConnectRecord.MQTTVersion;
        public subscribedTopic: string;
        public static create(properties?: usp_record.IMQTTConnectRecord): usp_record.MQTTConnectRecord;
        public static encode(message: usp_record.IMQTTConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.IMQTTConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.MQTTConnectRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.MQTTConnectRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.MQTTConnectRecord;
        public static toObject(message: usp_record.MQTTConnectRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace MQTTConnectRecord {

        enum MQTTVersion {
            V3_1_1 = 0,
            V5 = 1
        }
    }

    interface ISTOMPConnectRecord {
        version?: (usp_record.STOMPConnectRecord.STOMPVersion|null);
        subscribedDestination?: (string|null);
    }

    class STOMPConnectRecord implements ISTOMPConnectRecord {
        constructor(properties?: usp_record.ISTOMPConnectRecord);
        public version: usp_record.STOMPConnectRecord.STOMPVersion;
        public subscribedDestination: string;
        public static create(properties?: usp_record.ISTOMPConnectRecord): usp_record.STOMPConnectRecord;
        public static encode(message: usp_record.ISTOMPConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.ISTOMPConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.STOMPConnectRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.STOMPConnectRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.STOMPConnectRecord;
        public static toObject(message: usp_record.STOMPConnectRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    namespace STOMPConnectRecord {

        enum STOMPVersion {
            V1_2 = 0
        }
    }

    interface IUDSConnectRecord {
    }

    class UDSConnectRecord implements IUDSConnectRecord {
        constructor(properties?: usp_record.IUDSConnectRecord);
        public static create(properties?: usp_record.IUDSConnectRecord): usp_record.UDSConnectRecord;
        public static encode(message: usp_record.IUDSConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.IUDSConnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.UDSConnectRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.UDSConnectRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.UDSConnectRecord;
        public static toObject(message: usp_record.UDSConnectRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }

    interface IDisconnectRecord {
        reason?: (string|null);
        reasonCode?: (number|null);
    }

    class DisconnectRecord implements IDisconnectRecord {
        constructor(properties?: usp_record.IDisconnectRecord);
        public reason: string;
        public reasonCode: number;
        public static create(properties?: usp_record.IDisconnectRecord): usp_record.DisconnectRecord;
        public static encode(message: usp_record.IDisconnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static encodeDelimited(message: usp_record.IDisconnectRecord, writer?: $protobuf.Writer): $protobuf.Writer;
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): usp_record.DisconnectRecord;
        public static decodeDelimited(reader: ($protobuf.Reader|Uint8Array)): usp_record.DisconnectRecord;
        public static verify(message: { [k: string]: any }): (string|null);
        public static fromObject(object: { [k: string]: any }): usp_record.DisconnectRecord;
        public static toObject(message: usp_record.DisconnectRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
        public toJSON(): { [k: string]: any };
        public static getTypeUrl(typeUrlPrefix?: string): string;
    }
}
