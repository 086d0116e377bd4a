import { setupServer } from 'msw/node';

import { authGate, authHandlers } from './handlers/auth';
import { modelHandlers } from './handlers/models';
import { promptHandlers } from './handlers/prompts';
import { readerHandlers } from './handlers/readers';
import { settingsHandlers } from './handlers/settings';
import { storyHandlers } from './handlers/stories';

export const server = setupServer(
  // The gate first: it answers for a signed-out, CSRF-less or member's request before any other handler.
  authGate,
  ...authHandlers,
  ...modelHandlers, ...promptHandlers, ...readerHandlers, ...settingsHandlers, ...storyHandlers,
);
