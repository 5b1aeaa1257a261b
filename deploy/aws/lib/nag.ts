// cdk-nag (v3) findings acknowledged where the construct is made, each with its reason.
// Validations.of(x).acknowledge() covers x and everything under it. An IAM5 finding is named by
// the wildcard resource it is about, `AwsSolutions-IAM5[Resource::<flattened ARN>]`; the name is
// computed here the way the rule computes it, so each wildcard is acknowledged by itself and a
// new wildcard is still reported.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { flattenCfnReference } = require('cdk-nag/lib/utils/flatten-cfn-reference') as {
  flattenCfnReference: (value: unknown) => string;
};

export function acknowledge(scope: IConstruct, ...rules: { id: string; reason: string }[]): void {
  Validations.of(scope).acknowledge(...rules);
}

/** Acknowledges AwsSolutions-IAM5 for exactly these resources (ARNs, tokens allowed) under `scope`. */
export function acknowledgeWildcardResources(scope: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(scope);
  acknowledge(
    scope,
    ...resources.map((arn) => ({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      reason,
    })),
  );
}
