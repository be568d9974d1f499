import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.ts';
import { createClientAccount } from '../../accounts/accounts.ts';
import { createSubject } from '../../subjects/subjects.ts';
import {
  BUILT_IN_POLICY,
  type DecisionRequest,
  decide,
  LEGAL_CLAIMS_PURPOSE,
  loadControls,
  requirePurpose,
} from './policy.ts';

type Control = { kind: 'restriction' | 'objection' | 'consent'; purpose: string | null; active: boolean };

describe(decide.name, () => {
  let kernel: TestKernel;
  let accountId: string;

  beforeAll(async () => {
    kernel = await createTestKernel();
    accountId = await createClientAccount(kernel, { name: 'Policy Test Ltd' });
  });
  afterAll(async () => kernel.close());

  const newSubject = () =>
    kernel.db.tenant(accountId, (trx) =>
      createSubject(kernel, trx, {
        accountId,
        kind: 'caller',
        name: 'Pat Example',
        email: `${crypto.randomUUID()}@example.test`,
        source: 'phone call',
        actor: { id: null, role: 'system' },
        purpose: 'service_delivery',
      }),
    );

  /** Records a control a minute after the previous one, so "newer" is unambiguous. */
  const record = async (subjectId: string, control: Control) => {
    kernel.clock.advance({ minutes: 1 });
    await kernel.db.tenant(accountId, (trx) =>
      trx
        .insertInto('processing_controls')
        .values({ account_id: accountId, subject_id: subjectId, ...control, recorded_at: kernel.clock.now() })
        .execute(),
    );
  };

  const sut = (subjectId: string | null, purpose: string, operation: DecisionRequest['operation'] = 'use') =>
    kernel.db.tenant(accountId, (trx) => decide(trx, BUILT_IN_POLICY, { accountId, subjectId, purpose, operation }));

  it('allows a disclosed purpose and answers its legal basis', async () => {
    const subjectId = await newSubject();

    expect(await sut(subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
    expect(await sut(null, 'security')).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
  });

  it('refuses a purpose the policy does not disclose, with or without a subject', async () => {
    const subjectId = await newSubject();

    expect(await sut(subjectId, 'profiling')).toEqual({ allowed: false, reason: 'undisclosed_purpose' });
    expect(await sut(null, 'profiling')).toEqual({ allowed: false, reason: 'undisclosed_purpose' });
  });

  it('CC-10: lets a restriction block use but still allow storage, until it is lifted', async () => {
    const subjectId = await newSubject();
    await record(subjectId, { kind: 'restriction', purpose: null, active: true });

    expect(await sut(subjectId, 'service_delivery', 'use')).toEqual({ allowed: false, reason: 'restricted' });
    expect(await sut(subjectId, 'service_delivery', 'store')).toEqual({ allowed: true, legalBasis: 'contract' });

    await record(subjectId, { kind: 'restriction', purpose: null, active: false });
    expect(await sut(subjectId, 'service_delivery', 'use')).toEqual({ allowed: true, legalBasis: 'contract' });
  });

  it('CC-10: leaves legal claims allowed under a restriction, and only legal claims', async () => {
    const withClaims = {
      ...BUILT_IN_POLICY,
      purposes: {
        ...BUILT_IN_POLICY.purposes,
        [LEGAL_CLAIMS_PURPOSE]: {
          legalBasis: 'legitimate_interests' as const,
          categories: ['account'],
          directMarketing: false,
          description: 'Establishing, exercising or defending legal claims',
        },
      },
    };
    const subjectId = await newSubject();
    await record(subjectId, { kind: 'restriction', purpose: null, active: true });
    const ask = (purpose: string) =>
      kernel.db.tenant(accountId, (trx) =>
        decide(trx, withClaims, { accountId, subjectId, purpose, operation: 'use' }),
      );

    expect(await ask(LEGAL_CLAIMS_PURPOSE)).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
    expect(await ask('security')).toEqual({ allowed: false, reason: 'restricted' });
    expect(await ask('legal_obligation')).toEqual({ allowed: false, reason: 'restricted' });
  });

  it('CV-9: under a restriction, a purpose resting on consent runs again only with consent given after it', async () => {
    const subjectId = await newSubject();
    await record(subjectId, { kind: 'consent', purpose: 'marketing', active: true });
    await record(subjectId, { kind: 'restriction', purpose: null, active: true });

    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: false, reason: 'restricted' });
    await record(subjectId, { kind: 'consent', purpose: 'marketing', active: true });
    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: true, legalBasis: 'consent' });
    // Fresh consent lifts nothing else: a purpose on another basis stays restricted.
    expect(await sut(subjectId, 'service_delivery')).toEqual({ allowed: false, reason: 'restricted' });
  });

  it('applies a restriction for one purpose to that purpose only', async () => {
    const subjectId = await newSubject();
    await record(subjectId, { kind: 'restriction', purpose: 'security', active: true });

    expect(await sut(subjectId, 'security')).toEqual({ allowed: false, reason: 'restricted' });
    expect(await sut(subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
  });

  it('CC-10: lets an objection block legitimate-interest and marketing purposes but not contract or legal obligation', async () => {
    const subjectId = await newSubject();
    await record(subjectId, { kind: 'consent', purpose: 'marketing', active: true });
    await record(subjectId, { kind: 'objection', purpose: null, active: true });

    expect(await sut(subjectId, 'security')).toEqual({ allowed: false, reason: 'objected' });
    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: false, reason: 'objected' });
    expect(await sut(subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
    expect(await sut(subjectId, 'legal_obligation')).toEqual({ allowed: true, legalBasis: 'legal_obligation' });
  });

  it('CV-10: requires an active consent for a consent purpose, and a newer withdrawal stops it', async () => {
    const subjectId = await newSubject();
    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: false, reason: 'no_consent' });

    await record(subjectId, { kind: 'consent', purpose: 'marketing', active: true });
    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: true, legalBasis: 'consent' });

    await record(subjectId, { kind: 'consent', purpose: 'marketing', active: false });
    expect(await sut(subjectId, 'marketing')).toEqual({ allowed: false, reason: 'no_consent' });
  });

  it('does not let one subject’s consent count for another', async () => {
    const consenting = await newSubject();
    const other = await newSubject();
    await record(consenting, { kind: 'consent', purpose: 'marketing', active: true });

    expect(await sut(other, 'marketing')).toEqual({ allowed: false, reason: 'no_consent' });
  });

  it('decides the same from controls read for several subjects at once (loadControls) as from its own read', async () => {
    const restricted = await newSubject();
    const consenting = await newSubject();
    const objecting = await newSubject();
    const untouched = await newSubject();
    await record(restricted, { kind: 'restriction', purpose: null, active: true });
    await record(consenting, { kind: 'consent', purpose: 'marketing', active: true });
    await record(consenting, { kind: 'consent', purpose: 'marketing', active: false });
    await record(consenting, { kind: 'consent', purpose: 'marketing', active: true });
    await record(objecting, { kind: 'objection', purpose: 'security', active: true });
    const subjects = [restricted, consenting, objecting, untouched];
    const purposes = ['service_delivery', 'security', 'marketing', LEGAL_CLAIMS_PURPOSE];

    const preloaded = await kernel.db.tenant(accountId, async (trx) => {
      const controls = await loadControls(trx, accountId, subjects);
      const out: unknown[] = [];
      for (const subjectId of subjects)
        for (const purpose of purposes)
          out.push(
            await decide(trx, BUILT_IN_POLICY, {
              accountId,
              subjectId,
              purpose,
              operation: 'use',
              controls: controls.get(subjectId) ?? [],
            }),
          );

      return out;
    });
    const own: unknown[] = [];
    for (const subjectId of subjects) for (const purpose of purposes) own.push(await sut(subjectId, purpose));

    expect(preloaded).toEqual(own);
    expect(own).toContainEqual({ allowed: false, reason: 'restricted' });
    expect(own).toContainEqual({ allowed: false, reason: 'objected' });
    expect(own).toContainEqual({ allowed: true, legalBasis: 'consent' });
  });

  describe(requirePurpose.name, () => {
    it('throws PURPOSE_REFUSED naming the purpose and reason, and returns the legal basis when allowed', async () => {
      const refused = kernel.db.tenant(accountId, (trx) =>
        requirePurpose(trx, BUILT_IN_POLICY, { accountId, subjectId: null, purpose: 'profiling', operation: 'use' }),
      );
      await expect(refused).rejects.toMatchObject({
        code: 'PURPOSE_REFUSED',
        status: 403,
        details: { purpose: 'profiling', reason: 'undisclosed_purpose' },
      });

      const allowed = await kernel.db.tenant(accountId, (trx) =>
        requirePurpose(trx, BUILT_IN_POLICY, {
          accountId,
          subjectId: null,
          purpose: 'legal_obligation',
          operation: 'use',
        }),
      );
      expect(allowed).toBe('legal_obligation');
    });
  });
});
