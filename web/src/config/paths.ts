/** Every place in the app, in one table: links and routes are built from here. */
export const paths = {
  stories: { path: '/', href: () => '/' },
  newStory: { path: '/stories/new', href: () => '/stories/new' },
  prompts: { path: '/prompts', href: () => '/prompts' },
  prompt: { path: '/prompts/:promptId', href: (id: number) => `/prompts/${id}` },
  readers: { path: '/readers', href: () => '/readers' },
  settings: { path: '/settings', href: () => '/settings' },
} as const;
