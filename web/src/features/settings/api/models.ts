import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type {
  DownloadCreate,
  EngineInfo,
  LocalModelList,
  ModelDownload,
  ModelDownloadList,
  UseModel,
} from '@/types/api';

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
};

/** Start downloading a model file by its link. */
export function useStartDownload({ onSuccess }: Options<ModelDownload> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (data: DownloadCreate) =>
      apiFetch<ModelDownload>('/models/downloads', { method: 'POST', json: data }),
    onSuccess: async (download) => {
      await queryClient.invalidateQueries({ queryKey: ['models', 'downloads'] });
      onSuccess?.(download);
    },
  });
}

/** Cancel a running download, or take an ended one off the list. */
export function useCancelDownload({ onSuccess }: Options<ModelDownload> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<ModelDownload>(`/models/downloads/${encodeURIComponent(id)}`, {
        method: 'DELETE',
      }),
    onSuccess: async (download) => {
      await queryClient.invalidateQueries({ queryKey: ['models', 'downloads'] });
      onSuccess?.(download);
    },
  });
}

/** Make a model file a `local` engine that writes the languages given. */
export function useUseModel({ onSuccess }: Options<EngineInfo> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...data }: UseModel & { name: string }) =>
      apiFetch<EngineInfo>(`/models/${encodeURIComponent(name)}/engine`, {
        method: 'POST',
        json: data,
      }),
    onSuccess: async (engine) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['engines'] }),
        queryClient.invalidateQueries({ queryKey: ['settings'] }),
        queryClient.invalidateQueries({ queryKey: ['models', 'list'] }),
      ]);
      onSuccess?.(engine);
    },
  });
}
