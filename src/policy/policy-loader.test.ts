import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createClientAccount } from '../accounts/accounts.ts';
import { loadConfig } from '../kernel/config.ts';
import { isAppError } from '../kernel/errors.ts';
import { createKernel } from '../kernel/kernel.ts';
import { decide } from '../kernel/policy/policy.ts';
import { createSubject } from '../subjects/subjects.ts';
import { REQUIRED_PURPOSES } from './policy-check.ts';
import { EXAMPLE_POLICIES, loadPolicyFile, POLICIES_DIR, toDecisionPolicy } from './policy-loader.ts';

describe(toDecisionPolicy.name, () => {
  it.each(EXAMPLE_POLICIES)('gives %s every purpose the code uses, with the legal basis the file states', (name) => {
    const file = loadPolicyFile(path.join(POLICIES_DIR, `${name}.yaml`)).file;
    const policy = toDecisionPolicy(file);

    expect(Object.keys(policy.purposes)).toEqual(expect.arrayContaining([...REQUIRED_PURPOSES]));
    expect(Object.keys(policy.purposes)).toHaveLength(file.purposes.length);
    expect(policy.purposes.marketing?.directMarketing).toBe(true);
    expect(policy).toMatchObject({ id: name, version: file.version });
  });
});

describe('the kernel reads the policy file', () => {
  let kernel: TestKernel;
  let accountId: string;
  beforeAll(async () => {
    kernel = await createTestKernel({ env: { POLICY_FILE: path.join(POLICIES_DIR, 'cloud-phone.yaml') } });
    accountId = await createClientAccount(kernel, { name: 'Loader Test Ltd' });
  });
  afterAll(async () => kernel.close());

  const decideFor = (purpose: string, withSubject: boolean) =>
    kernel.db.tenant(accountId, async (trx) => {
      const subjectId = withSubject
        ? await createSubject(kernel, trx, {
            accountId,
            kind: 'caller',
            name: 'Robin Example',
            source: 'phone call',
            actor: { id: null, role: 'system' },
            purpose: 'service_delivery',
          })
        : null;

      return decide(trx, kernel.policy, { accountId, subjectId, purpose, operation: 'use' });
    });

  it('loads POLICY_FILE and allows the purposes it discloses, on its legal basis', async () => {
    expect(kernel.policy.id).toBe('cloud-phone');
    expect(kernel.policyFile.file.controller.name).toBe('Brightwire Telecom Ltd');
    expect(await decideFor('call_monitoring', true)).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
    expect(await decideFor('credit_checks', false)).toEqual({ allowed: true, legalBasis: 'contract' });
  });

  it('refuses a purpose the loaded notice does not disclose, even one another business discloses', async () => {
    expect(await decideFor('vital_interests', true)).toEqual({ allowed: false, reason: 'undisclosed_purpose' });
    expect(await decideFor('profiling', false)).toEqual({ allowed: false, reason: 'undisclosed_purpose' });
  });

  it('defaults to the answering-service policy when POLICY_FILE is unset', async () => {
    const other = await createTestKernel();
    try {
      expect(other.policy.id).toBe('answering-service');
      expect(other.policy.purposes.tailored_newsletter?.legalBasis).toBe('consent');
    } finally {
      await other.close();
    }
  });

  it('refuses to start on an invalid policy file, listing each problem with its path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-policy-'));
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(path.join(POLICIES_DIR, 'cloud-phone.yaml'), 'utf8')
        .replace('after: contract_ended', 'after: contract_end'),
    );
    let error: unknown;
    try {
      await createKernel(loadConfig({ DATA_DIR: dir, POLICY_FILE: file, LOG_LEVEL: 'silent' }));
    } catch (e) {
      error = e;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
    expect(isAppError(error) && error.details.issues).toEqual([
      expect.stringMatching(
        /^broken\.yaml:\d+: retention\[0\]\.after: unknown event "contract_end" \(did you mean "contract_ended"\?\)$/,
      ),
    ]);
  });
});
