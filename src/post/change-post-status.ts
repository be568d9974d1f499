/**
 * @module A post item's lifecycle: received → awaiting instruction → forwarded / collected / scanned / shredded
 * (a scanned item can still be forwarded, collected or shredded). Each step is a timestamped event naming who did
 * it; a step the lifecycle does not allow is refused with 409.
 *
 * @example
 * await changePostStatus(kernel, { accountId, actor, postItemId, status: 'awaiting_instruction' })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { PostStatus } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { POST_PURPOSE } from './log-post-item.ts';
import { getPostRowForUpdate, insertPostEvent, updatePostStatus } from './post-repository.ts';

export const POST_STATUSES = [
  'received',
  'awaiting_instruction',
  'forwarded',
  'collected',
  'scanned',
  'shredded',
] as const;

export const NEXT_STATUSES: Readonly<Record<PostStatus, readonly PostStatus[]>> = {
  received: ['awaiting_instruction'],
  awaiting_instruction: ['forwarded', 'collected', 'scanned', 'shredded'],
  scanned: ['forwarded', 'collected', 'shredded'],
  forwarded: [],
  collected: [],
  shredded: [],
};

export const changePostStatus = (
  deps: Pick<Kernel, 'db' | 'clock'>,
  input: { accountId: string; actor: Actor & { id: string }; postItemId: string; status: PostStatus },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const row = await getPostRowForUpdate(trx, input.postItemId);
    if (!row) throw new AppError('NOT_FOUND', 'No such post item for this client');
    if (!NEXT_STATUSES[row.status].includes(input.status)) {
      throw new AppError(
        'CONFLICT',
        `A post item that is ${row.status.replace('_', ' ')} cannot become ${input.status.replace('_', ' ')}`,
        {
          from: row.status,
          to: input.status,
          allowed: [...NEXT_STATUSES[row.status]],
        },
      );
    }
    const at = deps.clock.now();
    await updatePostStatus(trx, row.id, input.status, at, input.actor.id);
    await insertPostEvent(trx, {
      accountId: input.accountId,
      postItemId: row.id,
      status: input.status,
      at,
      byUser: input.actor.id,
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'post.status',
      entity: 'post_item',
      entityId: row.id,
      purpose: POST_PURPOSE,
      details: { from: row.status, to: input.status },
    });

    return {
      postItemId: row.id,
      status: input.status,
      at: at.toISOString(),
      allowedNext: [...NEXT_STATUSES[input.status]],
    };
  });
