// Writes Events to the events.k8s.io/v1 API (what `kubectl events` and `kubectl describe` show).
import { EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type EventsV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { EventSink, NewEvent } from './recorder.js';

export class KubeEventSink implements EventSink {
  private readonly api: EventsV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(EventsV1Api);
  }

  async create(event: NewEvent): Promise<void> {
    const { record } = event;
    const body: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: event.name, namespace: event.namespace },
      eventTime: new V1MicroTime(event.eventTime.getTime()),
      reportingController: event.reportingController,
      reportingInstance: event.reportingInstance,
      type: record.type,
      reason: record.reason,
      action: record.action,
      note: record.note,
      regarding: record.regarding,
      ...(record.related ? { related: record.related } : {}),
    };
    await this.api.createNamespacedEvent({ namespace: event.namespace, body });
  }

  async updateSeries(namespace: string, name: string, series: { count: number; lastObservedTime: Date }): Promise<void> {
    await this.api.patchNamespacedEvent(
      {
        name,
        namespace,
        body: { series: { count: series.count, lastObservedTime: new V1MicroTime(series.lastObservedTime.getTime()).toISOString() } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}
