/**
 * `npm run steps`: the six steps, in the order the tutorial takes them, with the command for each.
 */
import { styleText } from 'node:util';
import { readCommandLine } from '../steps/lib/core/index.ts';

const STEPS = [
  { n: 1, file: 'steps/01-get-token.ts', title: 'Get an access token', tutorial: 'Webhook User_Create / Create New User via API: oauth.fetch_token' },
  { n: 2, file: 'steps/02-subscribe-webhook.ts', title: 'Subscribe to User_Create', tutorial: 'Create a Webhook: Webhook User_Create' },
  {
    n: 3,
    file: 'steps/03-listen-for-webhooks.ts',
    title: 'Listen for webhooks (long-running)',
    tutorial: 'Create an Express app / Getting a public endpoint / Run project / Authenticate Webhook',
  },
  { n: 4, file: 'steps/04-create-test-user.ts', title: 'Create a test user', tutorial: 'Trigger Webhook: Create New User via API' },
  { n: 5, file: 'steps/05-verify-delivery.ts', title: 'Verify the delivery', tutorial: 'Confirm Webhook was Triggered / Authentication code explanation' },
  { n: 6, file: 'steps/06-delete-test-user.ts', title: 'Delete the test user and clean up', tutorial: 'Clean up' },
] as const;

const options = readCommandLine({
  options: {},
  usage: ['Usage: npm run steps', "Lists the tutorial's six steps, in order, with the command for each.", '  -h, --help   this help'].join('\n'),
  hint: 'npm run steps takes no options.',
});
if (options !== undefined) {
  console.log(styleText('bold', "Bracken's Step by Step Webhook Tutorial, as six steps:"));
  for (const step of STEPS) {
    console.log(`  npm run step:${step.n}   ${step.title.padEnd(38)} ${styleText('dim', `${step.file}  (tutorial: ${step.tutorial})`)}`);
  }
  console.log('Run the sandbox first (`npm run sandbox`), step 3 in its own terminal, or everything at once with `npm start`.');
}
