import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

// Night mode: warm, dim greys instead of blue-black, so a bedtime screen glares less.
const warmDark: MantineColorsTuple = [
  '#dcd6cc',
  '#bfb8ad',
  '#9a9388',
  '#6f695f',
  '#4d4841',
  '#3b3731',
  '#2d2a25',
  '#23201c',
  '#1c1a17',
  '#151310',
];

export const theme = createTheme({
  primaryColor: 'violet',
  primaryShade: { light: 7, dark: 6 },
  autoContrast: true,
  colors: { dark: warmDark },
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif',
  headings: { fontWeight: '700' },
  defaultRadius: 'md',
  respectReducedMotion: true,
  cursorType: 'pointer',
});

// Secondary text and quiet buttons darker (light) or lighter (dark) than Mantine's defaults,
// so that they keep a 4.5:1 contrast (WCAG AA) on the warm backgrounds.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-body': '#fffdf9',
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
    '--mantine-color-anchor': 'var(--mantine-color-violet-8)',
    // A field's error message and its red text (the setup and sign-in forms show them first).
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {
    '--mantine-color-anchor': 'var(--mantine-color-violet-3)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-4)',
    '--mantine-color-error': 'var(--mantine-color-red-4)',
  },
});
