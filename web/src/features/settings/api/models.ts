import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { apiFetch, isApiError } from '@/lib/api-client';
import { notifyError } from '@/lib/notify';
import type {
  DownloadCreate,
  EngineInfo,
  LocalModelList,
  ModelDownload,
  ModelDownloadList,
  UseModel,
} from '@/types/api';

import { adminHeaders } from './admin-token';

const POLL_MS = 500;

export function isRunning(download: ModelDownload): boolean {
  return download.status === 'downloading' || download.status === 'verifying';
}

export function getLocalModelsQueryOptions() {
  return queryOptions({
    queryKey: ['models', 'list'],
    queryFn: ({ signal }) => apiFetch<LocalModelList>('/models', { signal }),
  });
}

/** The GGUF model files on the server: the built-in one and those downloaded. */
export function useLocalModels() {
  return useQuery(getLocalModelsQueryOptions());
}

export function getDownloadsQueryOptions() {
  return queryOptions({
    queryKey: ['models', 'downloads'],
    queryFn: ({ signal }) => apiFetch<ModelDownloadList>('/models/downloads', { signal }),
    // Followed twice a second while one runs; still otherwise.
    refetchInterval: (query) => (query.state.data?.items.some(isRunning) ? POLL_MS : false),
  });
}

/** The server's downloads, followed while one runs. */
export function useDownloads() {
  return useQuery(getDownloadsQueryOptions());
}

type Options<T> = {
  onSuccess?: (value: T) => void;
  onUnauthorized?: () => void;
};

function onError(onUnauthorized?: () => void) {
  return (error: Error) => {
    if (isApiError(error) && error.status === 401 && onUnauthorized) onUnauthorized();
    else notifyError(error);
  };
}

/** Start downloading a model file by its link. */
export function useStartDownload({ onSuccess, onUnauthorized }: Options<ModelDownload> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (data: DownloadCreate) =>
      apiFetch<ModelDownload>('/models/downloads', { method: 'POST', json: data, headers: adminHeaders() }),
    meta: { silent: true },
    onSuccess: async (download) => {
      await queryClient.invalidateQueries({ queryKey: ['models', 'downloads'] });
      onSuccess?.(download);
    },
    onError: onError(onUnauthorized),
  });
}

/** Cancel a running download, or take an ended one off the list. */
export function useCancelDownload({ onSuccess, onUnauthorized }: Options<ModelDownload> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<ModelDownload>(`/models/downloads/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers: adminHeaders(),
      }),
    meta: { silent: true },
    onSuccess: async (download) => {
      await queryClient.invalidateQueries({ queryKey: ['models', 'downloads'] });
      onSuccess?.(download);
    },
    onError: onError(onUnauthorized),
  });
}

/** Make a model file a `local` engine that writes the languages given. */
export function useUseModel({ onSuccess, onUnauthorized }: Options<EngineInfo> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...data }: UseModel & { name: string }) =>
      apiFetch<EngineInfo>(`/models/${encodeURIComponent(name)}/engine`, {
        method: 'POST',
        json: data,
        headers: adminHeaders(),
      }),
    meta: { silent: true },
    onSuccess: async (engine) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['engines'] }),
        queryClient.invalidateQueries({ queryKey: ['settings'] }),
        queryClient.invalidateQueries({ queryKey: ['models', 'list'] }),
      ]);
      onSuccess?.(engine);
    },
    onError: onError(onUnauthorized),
  });
}
