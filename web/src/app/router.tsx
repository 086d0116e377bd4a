import { lazy, Suspense } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';

import { RouteError } from '@/app/routes/route-error';
import { AppLayout } from '@/components/layouts/app-shell';
import { RequireUser } from '@/components/layouts/require-user';
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
const SignInRoute = lazy(() => import('@/app/routes/sign-in'));
const SetupRoute = lazy(() => import('@/app/routes/setup'));
const AccountRoute = lazy(() => import('@/app/routes/account'));
const TokensRoute = lazy(() => import('@/app/routes/tokens'));
const UsersRoute = lazy(() => import('@/app/routes/users'));
const NotFoundRoute = lazy(() => import('@/app/routes/not-found'));

export const routes: RouteObject[] = [
  // Before signing in: no app shell, nothing of anyone's data.
  {
    errorElement: <RouteError />,
    element: (
      <Suspense fallback={null}>
        <Outlet />
      </Suspense>
    ),
    children: [
      { path: paths.signIn.path, element: <SignInRoute /> },
      { path: paths.setup.path, element: <SetupRoute /> },
    ],
  },
  {
    element: (
      <RequireUser>
        <AppLayout />
      </RequireUser>
    ),
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
      { path: paths.account.path, element: <AccountRoute /> },
      { path: paths.tokens.path, element: <TokensRoute /> },
      { path: paths.users.path, element: <UsersRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
