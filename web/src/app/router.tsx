import { lazy } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';

import { RouteError } from '@/app/routes/route-error';
import { AppLayout } from '@/components/layouts/app-shell';
import { paths } from '@/config/paths';

// Each page is its own chunk: the first screen loads only what it shows.
const StoriesRoute = lazy(() => import('@/app/routes/stories'));
const NewStoryRoute = lazy(() => import('@/app/routes/new-story'));
const StoryRoute = lazy(() => import('@/app/routes/story'));
const PromptsRoute = lazy(() => import('@/app/routes/prompts/prompts'));
const PromptRoute = lazy(() => import('@/app/routes/prompts/prompt'));
const ReadersRoute = lazy(() => import('@/app/routes/readers'));
const ReaderRoute = lazy(() => import('@/app/routes/reader'));
const SettingsRoute = lazy(() => import('@/app/routes/settings'));
const NotFoundRoute = lazy(() => import('@/app/routes/not-found'));

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    errorElement: <RouteError />,
    children: [
      { path: paths.stories.path, element: <StoriesRoute /> },
      { path: paths.newStory.path, element: <NewStoryRoute /> },
      { path: paths.story.path, element: <StoryRoute /> },
      { path: paths.prompts.path, element: <PromptsRoute /> },
      { path: paths.prompt.path, element: <PromptRoute /> },
      { path: paths.readers.path, element: <ReadersRoute /> },
      { path: paths.reader.path, element: <ReaderRoute /> },
      { path: paths.settings.path, element: <SettingsRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
