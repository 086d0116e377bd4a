/** Every place in the app, in one table: links and routes are built from here. */
export const paths = {
  stories: { path: '/', href: () => '/' },
  newStory: { path: '/stories/new', href: () => '/stories/new' },
  story: { path: '/stories/:storyId', href: (id: number) => `/stories/${id}` },
  prompts: { path: '/prompts', href: () => '/prompts' },
  prompt: { path: '/prompts/:promptId', href: (id: number) => `/prompts/${id}` },
  readers: { path: '/readers', href: () => '/readers' },
  reader: { path: '/readers/:readerId', href: (id: number) => `/readers/${id}` },
  account: { path: '/account', href: () => '/account' },
  tokens: { path: '/tokens', href: () => '/tokens' },
  users: { path: '/users', href: () => '/users' },
  /** `next`: where to go back to once signed in (a path of this app, with its query). */
  signIn: {
    path: '/sign-in',
    href: (next?: string) => (next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'),
  },
  setup: { path: '/setup', href: () => '/setup' },
  settings: { path: '/settings', href: (section?: SettingsSection) => (section ? `/settings#${section}` : '/settings') },
} as const;

/** Sections of the settings page a link can point at (the new-story page does, when no engine writes a language). */
export const settingsSections = {
  foundServers: 'settings-found-servers',
  modelFiles: 'settings-model-files',
} as const;

export type SettingsSection = (typeof settingsSections)[keyof typeof settingsSections];
