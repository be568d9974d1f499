/**
 * @module What changed between two versions of a policy file, item by item (a purpose added, a recipient removed,
 * a retention rule whose period changed), for the readable diff at `/privacy/v/N`.
 *
 * @example
 * diffPolicies(v1, v2) // [{ section: 'Purposes', kind: 'added', item: 'Personalised offers' }, …]
 */

import type { PolicyFile } from './policy-schema.ts';
import type { PolicyChange } from './render-notice.ts';

type Keyed = { key: string; label: string; value: unknown };

const SECTIONS: { section: string; items: (p: PolicyFile) => Keyed[] }[] = [
  { section: 'Data subjects', items: (p) => p.dataSubjects.map((x) => ({ key: x.id, label: x.name, value: x })) },
  { section: 'Personal data', items: (p) => p.categories.map((x) => ({ key: x.id, label: x.name, value: x })) },
  { section: 'Purposes', items: (p) => p.purposes.map((x) => ({ key: x.id, label: x.name, value: x })) },
  {
    section: 'Retention',
    items: (p) =>
      p.retention.map((x) => ({
        key: x.category,
        label: p.categories.find((c) => c.id === x.category)?.name ?? x.category,
        value: x,
      })),
  },
  { section: 'Recipients', items: (p) => p.recipients.map((x) => ({ key: x.id, label: x.name, value: x })) },
  { section: 'Rights', items: (p) => p.rights.list.map((x) => ({ key: x.right, label: x.right, value: x })) },
  {
    section: 'Marketing channels',
    items: (p) => p.marketing.channels.map((x) => ({ key: x.channel, label: x.channel, value: x })),
  },
  { section: 'Cookies', items: (p) => p.cookies.list.map((x) => ({ key: x.name, label: x.name, value: x })) },
  {
    section: 'Controller and contacts',
    items: (p) => [{ key: 'controller', label: p.controller.name, value: p.controller }],
  },
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const diffPolicies = (before: PolicyFile, after: PolicyFile): PolicyChange[] => {
  const changes: PolicyChange[] = [];
  for (const { section, items } of SECTIONS) {
    const old = new Map(items(before).map((i) => [i.key, i]));
    const now = new Map(items(after).map((i) => [i.key, i]));
    for (const [key, item] of now) {
      const prior = old.get(key);
      if (!prior) changes.push({ section, kind: 'added', item: item.label });
      else if (!same(prior.value, item.value)) {
        const a = prior.value as Record<string, unknown>;
        const b = item.value as Record<string, unknown>;
        const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !same(a[f], b[f]));
        changes.push({ section, kind: 'changed', item: item.label, fields });
      }
    }
    for (const [key, item] of old) if (!now.has(key)) changes.push({ section, kind: 'removed', item: item.label });
  }

  return changes;
};
