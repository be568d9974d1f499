/**
 * @module The review before an access or portability copy goes out: every passage of free text that someone else
 * wrote about the person (a phone message as taken down) is shown to the reviewer, who marks names of other people
 * to redact. The copy cannot be sent until this is done (`reviewedForOtherPeople`).
 *
 * @example
 * const { fields } = await reviewPackage(kernel, sources, { accountId, requestId, actor })
 */
import type { Actor } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import type { ExecutionDeps } from './complete-request.ts';
import { freeTextToReview, gatherPerson } from './execute-access.ts';
import { getRequestRow, listRequestSubjects } from './rights-repository.ts';

export const reviewPackage = (
  deps: ExecutionDeps,
  sources: readonly SubjectDataSource[],
  input: { accountId: string; requestId: string; actor: Actor },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const request = await getRequestRow(trx, input.requestId);
    if (!request) throw new AppError('NOT_FOUND', 'No such request');
    if (request.kind !== 'access' && request.kind !== 'portability') {
      throw new AppError('CONFLICT', 'Only access and portability copies are reviewed');
    }
    const ctx = { deps, trx, accountId: input.accountId, sources, actor: input.actor };
    const people = [];
    for (const covered of await listRequestSubjects(trx, request.id)) {
      const person = await gatherPerson(ctx, covered.subject_id);
      if (person) people.push(person);
    }

    return { fields: freeTextToReview(people) };
  });
