import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { apiUrl, credentialsFor } from '@/lib/api-client';
import { ME_QUERY_KEY } from '@/lib/auth';
import { FINAL_STATUSES, isFinalStatus, type FinalEventData, type Story, type StoryStatus } from '@/types/stories';

export type LiveStory = {
  status: StoryStatus | 'deleted';
  queuePosition: number | null;
  /** About how many seconds until a queued story starts (null: not known). */
  waitSeconds: number | null;
  text: string;
  lastSeq: number;
  title: string;
  failureCode: string | null;
  failureReason: string | null;
  failureParams: Record<string, string | number> | null;
  /** The server refused or dropped the stream; the page reconnects shortly. */
  reconnecting: boolean;
  /** Times the story went on by itself after the server writing it stopped. */
  resumes: number;
};

/** How long to wait before opening a stream the server refused (its Retry-After). */
export const RECONNECT_MS = 5000;

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
 * EventSource is closed on the final event so that it never reconnects. One
 * the server refused (503 when it follows too many stories) or closed early
 * is opened again after {@link RECONNECT_MS}, from the last piece shown.
 */
export function useStoryStream(initial: Story): LiveStory {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<LiveStory>(() => ({
    status: initial.status,
    queuePosition: initial.queue_position,
    waitSeconds: initial.wait_seconds,
    text: initial.text,
    lastSeq: initial.last_seq,
    title: initial.title,
    failureCode: initial.failure_code,
    failureReason: initial.failure_reason,
    failureParams: initial.failure_params,
    reconnecting: false,
    resumes: initial.resumes,
  }));
  const lastSeq = useRef(initial.last_seq);

  useEffect(() => {
    if (isFinalStatus(initial.status)) return undefined;
    lastSeq.current = initial.last_seq;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let ended = false;

    const open = () => {
      const url = apiUrl(`/stories/${initial.id}/events`, { after: lastSeq.current });
      // Same origin: the session cookie goes along by itself; another origin needs it asked for.
      const current = new EventSource(url, { withCredentials: credentialsFor(url) === 'include' });
      source = current;
      const finish = () => {
        ended = true;
        current.close();
      };
      current.addEventListener('text', (event: MessageEvent) => {
        const seq = Number(event.lastEventId);
        const piece = parse<{ text?: string }>(event.data)?.text ?? '';
        const numbered = Number.isFinite(seq) && event.lastEventId !== '';
        if (numbered && seq <= lastSeq.current) return; // seen already
        if (numbered) lastSeq.current = seq;
        setLive((state) => ({
          ...state,
          status: state.status === 'queued' ? 'running' : state.status,
          queuePosition: null,
          waitSeconds: null,
          text: state.text + piece,
          lastSeq: numbered ? seq : state.lastSeq,
          reconnecting: false,
        }));
      });
      current.addEventListener('status', (event: MessageEvent) => {
        const data = parse<{
          status?: StoryStatus;
          queue_position?: number | null;
          wait_seconds?: number | null;
          resumes?: number;
        }>(event.data);
        if (!data?.status) return;
        const status = data.status;
        setLive((state) => ({
          ...state,
          status,
          queuePosition: data.queue_position ?? null,
          waitSeconds: data.wait_seconds ?? null,
          resumes: data.resumes ?? state.resumes,
          reconnecting: false,
        }));
      });
      for (const final of FINAL_STATUSES) {
        current.addEventListener(final, (event: MessageEvent) => {
          finish();
          const data = parse<FinalEventData>(event.data);
          setLive((state) => ({
            ...state,
            status: final,
            queuePosition: null,
            waitSeconds: null,
            title: data?.title ?? state.title,
            failureCode: data?.failure_code ?? null,
            failureReason: data?.failure_reason ?? null,
            failureParams: data?.failure_params ?? null,
            reconnecting: false,
          }));
          void queryClient.invalidateQueries({ queryKey: ['stories', 'list'] });
        });
      }
      current.addEventListener('deleted', () => {
        finish();
        setLive((state) => ({ ...state, status: 'deleted', reconnecting: false }));
      });
      current.addEventListener('error', () => {
        // A dropped connection is retried by EventSource itself; a refused one is not.
        if (ended || current.readyState !== EventSource.CLOSED) return;
        setLive((state) => ({ ...state, reconnecting: true }));
        // EventSource hides the status: if the session ended (401), asking who is
        // signed in finds out, and the app goes to the sign-in page.
        void queryClient.refetchQueries({ queryKey: ME_QUERY_KEY });
        retry = setTimeout(open, RECONNECT_MS);
      });
    };

    open();
    return () => {
      ended = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [initial.id, initial.status, initial.last_seq, queryClient]);

  return live;
}
