// Temporal's connection for the workers and the bridge: address and namespace as plain
// settings, the credentials (a Temporal Cloud API key, or an mTLS client certificate and key)
// only as ECS secrets from Secrets Manager, so they never appear in the task definition.
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TemporalProps } from './props';

export interface TemporalConnection {
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

export function temporalConnection(scope: Construct, props: TemporalProps): TemporalConnection {
  if (props.apiKeySecret && props.tlsClientSecret)
    throw new Error('temporal: give apiKeySecret or tlsClientSecret, not both');
  const environment: Record<string, string> = {
    TEMPORAL_ADDRESS: props.address,
    TEMPORAL_NAMESPACE: props.namespace,
  };
  const secrets: Record<string, ecs.Secret> = {};
  const secret = (id: string, nameOrArn: string): secretsmanager.ISecret =>
    nameOrArn.startsWith('arn:')
      ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, nameOrArn)
      : secretsmanager.Secret.fromSecretNameV2(scope, id, nameOrArn);
  if (props.apiKeySecret) {
    secrets.TEMPORAL_API_KEY = ecs.Secret.fromSecretsManager(secret('TemporalApiKey', props.apiKeySecret));
    environment.TEMPORAL_TLS = 'true';
  }
  if (props.tlsClientSecret) {
    const tls = secret('TemporalTlsClient', props.tlsClientSecret);
    secrets.TEMPORAL_TLS_CLIENT_CERT_DATA = ecs.Secret.fromSecretsManager(tls, 'cert');
    secrets.TEMPORAL_TLS_CLIENT_KEY_DATA = ecs.Secret.fromSecretsManager(tls, 'key');
    environment.TEMPORAL_TLS = 'true';
  }
  return { environment, secrets };
}
