import { IconBook2, IconBulb, IconPencilPlus, IconSettings, IconUsers, type Icon } from '@tabler/icons-react';

import { paths } from '@/config/paths';

export type Place = {
  to: string;
  labelKey: string;
  shortKey: string;
  icon: Icon;
  /** Whether the place owns this location (its own pages count). */
  matches: (pathname: string) => boolean;
};

/** The app's places, in the order of ux.md, for the sidebar and the phone's bottom bar. */
export const PLACES: Place[] = [
  {
    to: paths.stories.href(),
    labelKey: 'nav.stories',
    shortKey: 'nav.storiesShort',
    icon: IconBook2,
    matches: (p) => p === '/' || (p.startsWith('/stories/') && p !== paths.newStory.path),
  },
  {
    to: paths.newStory.href(),
    labelKey: 'nav.newStory',
    shortKey: 'nav.newStoryShort',
    icon: IconPencilPlus,
    matches: (p) => p === paths.newStory.path,
  },
  {
    to: paths.prompts.href(),
    labelKey: 'nav.prompts',
    shortKey: 'nav.promptsShort',
    icon: IconBulb,
    matches: (p) => p === paths.prompts.path || p.startsWith(`${paths.prompts.path}/`),
  },
  {
    to: paths.readers.href(),
    labelKey: 'nav.readers',
    shortKey: 'nav.readersShort',
    icon: IconUsers,
    matches: (p) => p.startsWith(paths.readers.path),
  },
  {
    to: paths.settings.href(),
    labelKey: 'nav.settings',
    shortKey: 'nav.settingsShort',
    icon: IconSettings,
    matches: (p) => p.startsWith(paths.settings.path),
  },
];
