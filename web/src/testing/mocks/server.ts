import { setupServer } from 'msw/node';

import { modelHandlers } from './handlers/models';
import { promptHandlers } from './handlers/prompts';
import { readerHandlers } from './handlers/readers';
import { settingsHandlers } from './handlers/settings';
import { storyHandlers } from './handlers/stories';

export const server = setupServer(...modelHandlers, ...promptHandlers, ...readerHandlers, ...settingsHandlers, ...storyHandlers);
