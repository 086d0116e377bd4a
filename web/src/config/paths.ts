/** Every place in the app, in one table: links and routes are built from here. */
export const paths = {
  stories: { path: '/', href: () => '/' },
  newStory: { path: '/stories/new', href: () => '/stories/new' },
  story: { path: '/stories/:storyId', href: (id: number) => `/stories/${id}` },
  prompts: { path: '/prompts', href: () => '/prompts' },
  prompt: { path: '/prompts/:promptId', href: (id: number) => `/prompts/${id}` },
  readers: { path: '/readers', href: () => '/readers' },
  reader: { path: '/readers/:readerId', href: (id: number) => `/readers/${id}` },
  settings: { path: '/settings', href: () => '/settings' },
} as const;
