import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Story, StoryCreate, StoryUpdate } from '@/types/stories';

import { storyQueryKey } from './get-story';

export function createStory(data: StoryCreate): Promise<Story> {
  return apiFetch<Story>('/stories', { method: 'POST', json: data });
}

/** Ask for a story; the page shows the error itself (a 422 message must stay visible). */
export function useCreateStory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createStory,
    meta: { silent: true },
    onSuccess: (story) => {
      queryClient.setQueryData(storyQueryKey(story.id), story);
      void queryClient.invalidateQueries({ queryKey: ['stories', 'list'] });
    },
  });
}

export type StoryAction = 'cancel' | 'regenerate' | 'continue';

export function storyAction(id: number, action: StoryAction): Promise<Story> {
  return apiFetch<Story>(`/stories/${id}/${action}`, { method: 'POST' });
}

/** Stop, try again, or continue a story. */
export function useStoryAction(id: number, action: StoryAction) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => storyAction(id, action),
    onSuccess: (story) => {
      if (action !== 'cancel') queryClient.setQueryData(storyQueryKey(story.id), story);
      void queryClient.invalidateQueries({ queryKey: ['stories', 'list'] });
    },
  });
}

export function updateStory(id: number, data: StoryUpdate): Promise<Story> {
  return apiFetch<Story>(`/stories/${id}`, { method: 'PATCH', json: data });
}

export function useUpdateStory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, data }: { id: number; data: StoryUpdate }) => updateStory(id, data),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stories', 'list'] }),
  });
}

export function deleteStory(id: number): Promise<void> {
  return apiFetch<undefined>(`/stories/${id}`, { method: 'DELETE' });
}

export function useDeleteStory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteStory,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['stories', 'list'] }),
  });
}

/** The address of an export: Markdown or EPUB as a download, HTML to print. */
export function exportPath(id: number, format: 'markdown' | 'epub' | 'html'): string {
  return `/stories/${id}/export?format=${format}`;
}
