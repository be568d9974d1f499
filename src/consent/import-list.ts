/**
 * @module Importing a marketing list: every row is checked against the suppression list first, so a person who
 * opted out, objected or was erased is never added back to marketing (CC-8); the rest are matched by blind index
 * or created, and any consent the list carries is recorded with method `import`.
 *
 * @example
 * await importMarketingList(kernel, { accountId, actor, people: [{ name: 'Ann', email: 'ann@example.test',
 *   consent: { channels: ['email'], topics: ['marketing'], collected: 'web-form 2026-05-01' } }] })
 */
import { z } from 'zod';
import type { Actor } from '../kernel/audit/audit.ts';
import type { MarketingChannel } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { findSubjectsByIndex } from '../subjects/subject-repository.ts';
import { createSubject } from '../subjects/subjects.ts';
import { recordMarketingChoiceIn } from './consent-records.ts';
import { isSuppressed } from './suppression.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'policyFile'>;

/** One person on an imported list, as the HTTP route and the CLI both validate it. */
export const ZImportPerson = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[\d\s().-]{6,30}$/, 'a phone number')
    .optional(),
  consent: z
    .object({
      channels: z.array(z.enum(['email', 'sms', 'phone', 'post', 'fax', 'social'])).min(1),
      topics: z.array(z.string()).min(1),
    })
    .optional(),
});

export type ImportRow = {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  consent?: { channels: MarketingChannel[]; topics: string[] } | undefined;
};

export type ImportResult = { imported: number; matched: number; suppressed: number; consentsRecorded: number };

export const importMarketingList = (
  deps: Deps,
  input: { accountId: string; actor: Actor; source: string; people: ImportRow[] },
) =>
  deps.db.tenant(input.accountId, async (trx): Promise<ImportResult> => {
    const result: ImportResult = { imported: 0, matched: 0, suppressed: 0, consentsRecorded: 0 };
    for (const person of input.people) {
      if (await isSuppressed(deps, trx, person)) {
        result.suppressed += 1;
        continue;
      }
      let subjectId: string | null = null;
      for (const by of ['email', 'phone'] as const) {
        const value = person[by];
        if (!value || subjectId) continue;
        const [match] = await findSubjectsByIndex(
          trx,
          input.accountId,
          `${by}_bidx`,
          deps.vault.blindIndex(by, input.accountId, value),
          1,
        );
        subjectId = match?.id ?? null;
      }
      if (subjectId) result.matched += 1;
      else {
        subjectId = await createSubject(deps, trx, {
          accountId: input.accountId,
          kind: 'subscriber',
          name: person.name,
          email: person.email,
          phone: person.phone,
          source: `list import: ${input.source}`,
          actor: input.actor,
          purpose: 'marketing',
        });
        result.imported += 1;
      }
      for (const channel of person.consent?.channels ?? []) {
        for (const topic of person.consent?.topics ?? []) {
          await recordMarketingChoiceIn(deps, trx, {
            accountId: input.accountId,
            subjectId,
            channel,
            topic,
            state: 'given',
            basis: 'consent',
            method: `import: ${input.source}`,
            actor: input.actor,
          });
          result.consentsRecorded += 1;
        }
      }
    }

    return result;
  });
