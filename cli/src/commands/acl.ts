// octomesh acl add|rm|list|test: rules in KV `mqtt-acl`; `test` asks the running acl service
// (with explain) so the answer is exactly what brokers get, naming the deciding rule.
import { parseRule, type AclRule } from '@octomesh/acl-rules';
import { BucketSpecs, encodeKvKey, mesh, Subjects } from '@octomesh/contracts';
import { call, MeshCodecs, openBucket } from '@octomesh/nats-kit';
import { parse, UsageError } from '../args.ts';
import { keyName } from '../key-name.ts';
import { withNats } from '../nats.ts';

/** Help text of `octomesh acl`. */
export const aclHelp = `octomesh acl <command> [options]   (NATS from --nats-url or NATS_URL)
  add <rule id> --subject role:R|user:U|endpoint:E|client:C|* --action publish|subscribe
      --topic TEMPLATE (%u username, %c client id, %e endpoint id) [--effect allow|deny] [--description TEXT]
  rm <rule id>
  list [--json]                stored rules (the built-in USP policy is listed by the acl service's README)
  test publish|subscribe <topic> --role R [--username U] [--endpoint-id E] [--client-id C]
      asks the running acl service: allowed or denied, and which rule decides`;

const options = {
  'nats-url': { type: 'string' },
  subject: { type: 'string' },
  action: { type: 'string' },
  topic: { type: 'string' },
  effect: { type: 'string' },
  description: { type: 'string' },
  role: { type: 'string' },
  username: { type: 'string' },
  'endpoint-id': { type: 'string' },
  'client-id': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Runs `octomesh acl ...`. */
export async function aclCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, options);
  const [verb, first, second] = positionals;
  const openRules = (nc: Parameters<Parameters<typeof withNats>[1]>[0]) =>
    openBucket(nc, BucketSpecs.acl);
  switch (verb) {
    case 'add': {
      if (first === undefined) throw new UsageError('acl add needs a rule id');
      const rule: AclRule = parseRule({
        id: first,
        subject: values.subject,
        action: values.action,
        topic: values.topic,
        effect: values.effect ?? 'allow',
        ...(values.description !== undefined ? { description: values.description } : {}),
      });
      if (rule.id.startsWith('default:'))
        throw new UsageError(
          'rule ids starting with default: are reserved for the built-in policy',
        );
      await withNats(values['nats-url'], async (nc) => {
        await (await openRules(nc)).put(encodeKvKey(rule.id), JSON.stringify(rule));
      });
      console.log(
        `rule ${rule.id} stored: ${rule.effect} ${rule.subject} ${rule.action} ${rule.topic}`,
      );
      return;
    }
    case 'rm': {
      if (first === undefined) throw new UsageError('acl rm needs a rule id');
      await withNats(values['nats-url'], async (nc) => {
        const kv = await openRules(nc);
        const entry = await kv.get(encodeKvKey(first));
        if (entry === null || entry.operation !== 'PUT') throw new Error(`no rule ${first}`);
        await kv.delete(encodeKvKey(first));
      });
      console.log(`rule ${first} removed`);
      return;
    }
    case 'list': {
      const rules = await withNats(values['nats-url'], async (nc) => {
        const kv = await openRules(nc);
        const found: unknown[] = [];
        for await (const key of await kv.keys()) {
          const entry = await kv.get(key);
          if (entry === null || entry.operation !== 'PUT') continue;
          try {
            found.push(parseRule(entry.json()));
          } catch (error) {
            found.push({ id: keyName(key), invalid: (error as Error).message });
          }
        }
        return found;
      });
      if (values.json === true) console.log(JSON.stringify(rules, null, 2));
      else
        for (const r of rules as Record<string, string>[]) {
          console.log(
            r['invalid'] !== undefined
              ? `${r['id']}\tINVALID: ${r['invalid']}`
              : `${r['id']}\t${r['effect']}\t${r['subject']}\t${r['action']}\t${r['topic']}`,
          );
        }
      return;
    }
    case 'test': {
      if ((first !== 'publish' && first !== 'subscribe') || second === undefined) {
        throw new UsageError('acl test needs publish|subscribe and a topic');
      }
      if (values.role === undefined) throw new UsageError('acl test needs --role');
      const reply = await withNats(values['nats-url'], (nc) =>
        call(
          nc,
          Subjects.aclAuthorize,
          {
            identity: {
              role: values.role,
              username: values.username ?? '',
              endpointId: values['endpoint-id'] ?? '',
              clientId: values['client-id'] ?? '',
            },
            checks: [
              {
                action:
                  first === 'publish'
                    ? mesh.acl.v1.Action.ACTION_PUBLISH
                    : mesh.acl.v1.Action.ACTION_SUBSCRIBE,
                topic: second,
              },
            ],
            explain: true,
          },
          {
            timeoutMs: 3000,
            request: MeshCodecs.authorizeRequest,
            reply: MeshCodecs.authorizeReply,
          },
        ),
      );
      const verdict = reply.verdicts[0];
      if (verdict === undefined) throw new Error('acl service answered without a verdict');
      const line = `${verdict.allow ? 'ALLOW' : 'DENY'} ${first} ${second}: ${verdict.reason}${verdict.ruleId ? ` (rule ${verdict.ruleId})` : ''}`;
      if (values.json === true)
        console.log(
          JSON.stringify({
            allow: verdict.allow,
            ruleId: verdict.ruleId,
            reason: verdict.reason,
            reasonCode: verdict.reasonCode,
          }),
        );
      else console.log(line);
      process.exitCode = verdict.allow ? 0 : 1;
      return;
    }
    default:
      throw new UsageError(`unknown acl command ${verb ?? '(none)'}\n${aclHelp}`);
  }
}
