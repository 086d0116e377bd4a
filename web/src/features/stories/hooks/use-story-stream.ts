import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { apiUrl } from '@/lib/api-client';
import { FINAL_STATUSES, isFinalStatus, type FinalEventData, type Story, type StoryStatus } from '@/types/stories';

export type LiveStory = {
  status: StoryStatus | 'deleted';
  queuePosition: number | null;
  text: string;
  lastSeq: number;
  title: string;
  failureReason: string | null;
};

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the event's documented shape
function parse<T>(data: unknown): T | null {
  try {
    return JSON.parse(String(data)) as T;
  } catch {
    return null;
  }
}

/**
 * The story as it is written: the saved text first, then every piece after
 * `last_seq` from the event stream (`?after=`), so nothing shows twice. The
 * EventSource is closed on the final event so that it never reconnects.
 */
export function useStoryStream(initial: Story): LiveStory {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<LiveStory>(() => ({
    status: initial.status,
    queuePosition: initial.queue_position,
    text: initial.text,
    lastSeq: initial.last_seq,
    title: initial.title,
    failureReason: initial.failure_reason,
  }));

  useEffect(() => {
    if (isFinalStatus(initial.status)) return undefined;
    const source = new EventSource(apiUrl(`/stories/${initial.id}/events`, { after: initial.last_seq }));

    source.addEventListener('text', (event: MessageEvent) => {
      const seq = Number(event.lastEventId);
      const piece = parse<{ text?: string }>(event.data)?.text ?? '';
      setLive((current) => {
        if (Number.isFinite(seq) && event.lastEventId !== '' && seq <= current.lastSeq) return current; // seen already
        return {
          ...current,
          status: current.status === 'queued' ? 'running' : current.status,
          queuePosition: null,
          text: current.text + piece,
          lastSeq: Number.isFinite(seq) && event.lastEventId !== '' ? seq : current.lastSeq,
        };
      });
    });
    source.addEventListener('status', (event: MessageEvent) => {
      const data = parse<{ status?: StoryStatus; queue_position?: number | null }>(event.data);
      if (!data?.status) return;
      const status = data.status;
      setLive((current) => ({ ...current, status, queuePosition: data.queue_position ?? null }));
    });
    for (const final of FINAL_STATUSES) {
      source.addEventListener(final, (event: MessageEvent) => {
        source.close();
        const data = parse<FinalEventData>(event.data);
        setLive((current) => ({
          ...current,
          status: final,
          queuePosition: null,
          title: data?.title ?? current.title,
          failureReason: data?.failure_reason ?? null,
        }));
        void queryClient.invalidateQueries({ queryKey: ['stories', 'list'] });
      });
    }
    source.addEventListener('deleted', () => {
      source.close();
      setLive((current) => ({ ...current, status: 'deleted' }));
    });
    return () => source.close();
  }, [initial.id, initial.status, initial.last_seq, queryClient]);

  return live;
}
