// The CDK app: `npm run synth` (no AWS credentials needed) or `npx cdk deploy -c temporalAddress=...`.
// Props come from context (see lib/props.ts and README.md); cdk-nag's AwsSolutions checks run
// on every synth and print what is not suppressed.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { propsFromContext } from '../lib/props';
import { WsiPipelineStack } from '../lib/stack';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
const pipeline = propsFromContext((key) => app.node.tryGetContext(key));
if (app.node.tryGetContext('temporalAddress') === undefined) {
  console.warn(
    'temporalAddress not set: the workers and the bridge would dial localhost:7233 (fine for synth, not for a deployment)',
  );
}
new WsiPipelineStack(app, String(app.node.tryGetContext('stackName') ?? 'WsiOrchestrator'), {
  pipeline,
  description: 'wsi-orchestrator: whole-slide image processing on ECS, driven by Temporal',
  env:
    process.env.CDK_DEFAULT_ACCOUNT || pipeline.vpcId
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const assembly = app.synth();
for (const stack of assembly.stacks) {
  console.log(`synthesized ${stack.stackName}: ${stack.templateFullPath}`);
}
