const { chromium } = require('playwright-core');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ recordHar: { path: process.argv[2] } });
  const page = await context.newPage();
  await page.goto('http://127.0.0.1:18931/');
  await page.waitForFunction(() => document.getElementById('out').textContent.startsWith('order'), null, { timeout: 20000 });
  await context.close();
  await browser.close();
})();
