'use client';
import { useId, useState } from 'react';
import { ConfirmAction, type ConfirmLabels } from './confirm-action';
import { REASONS } from './revocation-reasons';

/**
 * Revoke one device or all of a member's devices, with a reason, after confirmation; or, with
 * `url`, another action that revokes (disabling a member).
 */
export function RevokeControl({
  url = '/api/admin/devices/revoke',
  initialReason = 'lost_or_stolen',
  target,
  csrf,
  labels,
  reasonLabel,
  reasonNames,
  outcome,
  testId,
}: {
  target: { deviceId: string } | { memberId: string };
  csrf: string;
  labels: ConfirmLabels;
  reasonLabel: string;
  reasonNames: Record<(typeof REASONS)[number], string>;
  outcome: string;
  testId?: string;
  url?: string;
  initialReason?: (typeof REASONS)[number];
}) {
  const id = useId();
  const [reason, setReason] = useState<(typeof REASONS)[number]>(initialReason);
  return (
    <ConfirmAction
      url={url}
      csrf={csrf}
      labels={labels}
      testId={testId}
      body={{ ...target, reason }}
      doneMessage={outcome}
      extra={
        <label htmlFor={`${id}-reason`}>
          {reasonLabel}{' '}
          <select
            id={`${id}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value as (typeof REASONS)[number])}
          >
            {REASONS.map((value) => (
              <option key={value} value={value}>
                {reasonNames[value]}
              </option>
            ))}
          </select>
        </label>
      }
    />
  );
}
