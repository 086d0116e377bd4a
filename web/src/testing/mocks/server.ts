import { setupServer } from 'msw/node';

import { promptHandlers } from './handlers/prompts';
import { readerHandlers } from './handlers/readers';
import { settingsHandlers } from './handlers/settings';
import { storyHandlers } from './handlers/stories';

export const server = setupServer(...promptHandlers, ...readerHandlers, ...settingsHandlers, ...storyHandlers);
