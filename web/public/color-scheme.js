// Paint the chosen (or the system's) colour scheme before React starts: no white flash at night.
// A file of its own, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
try {
  var saved = localStorage.getItem('mantine-color-scheme-value');
  var dark = saved === 'dark' || ((!saved || saved === 'auto') && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-mantine-color-scheme', dark ? 'dark' : 'light');
} catch (e) {}
