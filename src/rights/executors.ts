/**
 * @module One executor per kind of request. Each acts only on the people the request covers in the answering
 * account and returns what it did and what it kept, with reasons.
 */
import type { RightsRequestKind } from '../kernel/db/schema.ts';
import type { Executor } from './complete-request.ts';
import { executeAccess, executePortability } from './execute-access.ts';
import { executeErasure } from './execute-erasure.ts';
import { executeMarketingObjection, executeObjection } from './execute-objection.ts';
import { executeRectification } from './execute-rectification.ts';
import { executeRestriction } from './execute-restriction.ts';
import { executeWithdrawal } from './execute-withdrawal.ts';

export const EXECUTORS: Readonly<Record<RightsRequestKind, Executor>> = {
  access: executeAccess,
  portability: executePortability,
  rectification: executeRectification,
  erasure: executeErasure,
  restriction: executeRestriction,
  objection: executeObjection,
  object_direct_marketing: executeMarketingObjection,
  withdraw_consent: executeWithdrawal,
};
