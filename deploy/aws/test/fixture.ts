// Builds the stack once per set of props, in a temporary cloud assembly (nothing deployed,
// no credentials, no Docker: image assets are only staged).
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { WsiPipelineProps } from '../lib/props';
import { WsiPipelineStack } from '../lib/stack';

export interface Built {
  app: App;
  stack: WsiPipelineStack;
  template: Template;
}

export function build(pipeline: Partial<WsiPipelineProps> = {}): Built {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'wsi-cdk-')) });
  const stack = new WsiPipelineStack(app, 'Test', {
    pipeline: { temporal: { address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct' }, ...pipeline },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical ID of a construct's CloudFormation resource. */
export function idOf(built: Built, construct: IConstruct): string {
  return built.stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The statements of the one IAM policy attached to the role `roleId`. */
export function statementsOfRole(template: Template, roleId: string): Record<string, unknown>[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy') as Record<string, Resource>,
  ).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
  if (policies.length !== 1) throw new Error(`expected one policy on ${roleId}, found ${policies.length}`);
  return (policies[0]!.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
}

/** The properties of the only resource of `type` whose properties contain `match`. */
export function resourcesOf(template: Template, type: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(template.findResources(type) as Record<string, Resource>).map(([id, r]) => [
      id,
      r.Properties,
    ]),
  );
}
