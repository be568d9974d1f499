/**
 * @module Answering a request: the executor for its kind acts on every person the request covers in the answering
 * account (through the kernel's subject sources, vault and decision function), then the request closes with an
 * outcome the person can read: what was done, and anything kept with its reason. The person is e-mailed.
 *
 * @example
 * await completeRequest(kernel, sources, { accountId, requestId, actor, input: { kind: 'erasure' } })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { RightsRequestKind } from '../kernel/db/schema.ts';
import { OPEN_RIGHTS_STATUSES } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import { EXECUTORS } from './executors.ts';
import { sendRequestMail } from './request-mail.ts';
import {
  insertRequestEvent,
  listPurposesUsedFor,
  listRequestSubjects,
  lockRequestRow,
  type RequestRow,
  setRequestSubjectOutcome,
  updateRequest,
} from './rights-repository.ts';
import { PASSED_ON, RECIPIENTS_EVENT, recipientsFor, recipientsSentence } from './tell-recipients.ts';
import { personContact } from './view-request.ts';

export type ExecutionDeps = Pick<
  Kernel,
  'db' | 'vault' | 'clock' | 'keyring' | 'mailer' | 'config' | 'policy' | 'policyFile'
>;

/** A record not erased, restricted or otherwise acted on, and why (told to the person, Art. 17(3)). */
export type KeptRecord = { what: string; reason: string; until?: string };

export type SubjectOutcome = { subjectId: string; done: string; kept: KeptRecord[]; counts?: Record<string, number> };

export type ExecutionOutcome = {
  /** One or two sentences for the person: what was done. */
  summary: string;
  kept: KeptRecord[];
  subjects: SubjectOutcome[];
  /** Set by access and portability: the package the person can download with their status link. */
  packageId?: string;
};

export type ExecutionContext = {
  deps: ExecutionDeps;
  trx: Trx;
  accountId: string;
  request: RequestRow;
  /** The people the request covers in this account (found by routing, or added by staff). */
  subjectIds: readonly string[];
  actor: Actor;
  input: CompletionInput;
  sources: readonly SubjectDataSource[];
};

export type Executor = (context: ExecutionContext) => Promise<ExecutionOutcome>;

/** Kind-specific answers staff give when completing; validated by `ZCompletionInput` in routes. */
export type CompletionInput = {
  /** Rectification: the corrected values for one person the request covers. */
  corrections?: { subjectId: string; name?: string; email?: string; phone?: string } | undefined;
  /** Objection to legitimate-interest processing: purposes continued on compelling grounds, with the grounds. */
  compellingGrounds?: { purpose: string; grounds: string }[] | undefined;
  /** Objection or withdrawal limited to some purposes; all that apply when absent. */
  purposes?: string[] | undefined;
  /** Access and portability: the reviewer has read the free text others wrote about the person. */
  reviewedForOtherPeople?: boolean | undefined;
  /** Access and portability: passages naming other people, replaced by "[redacted]" in the copy. */
  redactions?: { recordId: string; field: string; text: string }[] | undefined;
};

export const completeRequest = async (
  deps: ExecutionDeps,
  sources: readonly SubjectDataSource[],
  input: { accountId: string; requestId: string; actor: Actor; input: CompletionInput },
) => {
  // Who to tell, read on a connection of its own while the request is answered on this one: the address and link
  // do not change on completion, and the mail still goes only once the answer has committed.
  const contacting = personContact(deps, { accountId: input.accountId, requestId: input.requestId });
  contacting.catch(() => {}); // awaited below, after the commit (or the failure) of the answer
  const answering = deps.db.tenant(input.accountId, async (trx) => {
    const request = await lockRequestRow(trx, input.requestId);
    if (!request) throw new AppError('NOT_FOUND', 'No such request');
    if (!OPEN_RIGHTS_STATUSES.includes(request.status)) {
      throw new AppError('CONFLICT', `This request is ${request.status.replaceAll('_', ' ')}`, {
        status: request.status,
      });
    }
    if (request.status === 'awaiting_clarification') {
      throw new AppError('CONFLICT', 'Record the clarification before answering');
    }
    if (request.fee_status === 'requested') throw new AppError('CONFLICT', 'A fee is still awaited');
    const covered = await listRequestSubjects(trx, request.id);
    const subjectIds = covered.map((s) => s.subject_id);
    const kind = request.kind as RightsRequestKind;
    // Read before the executor runs, since an erasure leaves nothing to read it from; only for people still held,
    // since nothing is passed on about someone already erased.
    const held = covered.filter((s) => s.present !== null).map((s) => s.subject_id);
    const purposes = PASSED_ON.has(kind) ? listPurposesUsedFor(trx, held) : Promise.resolve(new Set<string>());
    purposes.catch(() => {}); // awaited below, unless the executor throws first
    const result = await EXECUTORS[kind]({
      deps,
      trx,
      accountId: input.accountId,
      request,
      subjectIds,
      actor: input.actor,
      input: input.input,
      sources,
    });
    const recipients = recipientsFor(deps.policyFile.file, await purposes);
    const now = deps.clock.now();
    const personFacing = {
      summary: `${result.summary}${recipientsSentence(recipients)}`,
      kept: result.kept,
      packageId: result.packageId ?? null,
    };
    // Writes to separate rows, sent together: the connection runs them back to back.
    await Promise.all([
      ...result.subjects.map((s) =>
        setRequestSubjectOutcome(trx, request.id, s.subjectId, {
          done: s.done,
          kept: s.kept,
          ...(s.counts ? { counts: s.counts } : {}),
        }),
      ),
      deps.vault
        .seal(trx, request.id, 'rights_requests.outcome', JSON.stringify(personFacing))
        .then((outcome) =>
          updateRequest(trx, request.id, { status: 'completed', closed_at: now, outcome, updated_at: now }),
        ),
      insertRequestEvent(trx, {
        accountId: input.accountId,
        requestId: request.id,
        event: 'completed',
        at: now,
        actorId: input.actor.id,
        actorRole: input.actor.role,
        details: { subjects: result.subjects.length, kept: result.kept.length },
      }),
      ...(recipients.length > 0
        ? [
            insertRequestEvent(trx, {
              accountId: input.accountId,
              requestId: request.id,
              event: RECIPIENTS_EVENT,
              at: now,
              actorId: input.actor.id,
              actorRole: input.actor.role,
              details: { recipients },
            }),
          ]
        : []),
    ]);
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.complete',
      entity: 'rights_request',
      entityId: request.id,
      purpose: 'legal_obligation',
      details: { kind: request.kind, subjects: result.subjects.length, kept: result.kept.length },
    });

    return { kind: request.kind, result: { ...result, summary: personFacing.summary, recipientsToTell: recipients } };
  });
  const outcome = await answering.catch(async (error: unknown) => {
    await contacting.catch(() => {}); // nothing of this call is left running once it has failed
    throw error;
  });
  const contact = await contacting;
  if (contact.email) {
    await sendRequestMail(deps, {
      to: contact.email,
      template: 'completed',
      kind: outcome.kind,
      answeredBy: contact.answeredBy,
      statusToken: contact.statusToken,
    });
  }

  return outcome.result;
};
