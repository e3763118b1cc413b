{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "ack-node-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the prefix of every object the chart creates. */}}
{{- define "ack-node-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ack-node-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (a Deployment's selector is immutable). */}}
{{- define "ack-node-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ack-node-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ack-node-operator.labels" -}}
helm.sh/chart: {{ include "ack-node-operator.chart" . }}
{{ include "ack-node-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ack-node-operator
{{- with .Values.additionalLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "ack-node-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ack-node-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ack-node-operator.leaseName" -}}
{{- default (include "ack-node-operator.fullname" .) .Values.leaderElection.leaseName -}}
{{- end -}}

{{- define "ack-node-operator.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the AccessKey pair: the user's, or the one this chart creates. */}}
{{- define "ack-node-operator.credentialsSecretName" -}}
{{- if .Values.credentials.existingSecret -}}
{{- .Values.credentials.existingSecret -}}
{{- else -}}
{{- printf "%s-credentials" (include "ack-node-operator.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The embedded simulator brings its own keys, so no credentials reach the pod in that mode. */}}
{{- define "ack-node-operator.embeddedCloud" -}}
{{- if eq .Values.settings.cloudEndpoint "embedded" -}}
true
{{- end -}}
{{- end -}}

{{/* An AccessKey Secret is mounted (mode "secret" against a real endpoint). */}}
{{- define "ack-node-operator.mountCredentialsSecret" -}}
{{- if and (eq .Values.credentials.mode "secret") (not (include "ack-node-operator.embeddedCloud" .)) -}}
true
{{- end -}}
{{- end -}}

{{- define "ack-node-operator.createCredentialsSecret" -}}
{{- if and (include "ack-node-operator.mountCredentialsSecret" .) (not .Values.credentials.existingSecret) -}}
true
{{- end -}}
{{- end -}}

{{/* Manual RRSA: the chart projects the OIDC token itself instead of relying on ACK's webhook. */}}
{{- define "ack-node-operator.manualRRSA" -}}
{{- if and (eq .Values.credentials.mode "rrsa") .Values.credentials.rrsa.roleArn -}}
true
{{- end -}}
{{- end -}}

{{/* prometheus-operator objects render only where their API exists, so a plain cluster installs. */}}
{{- define "ack-node-operator.hasMonitoringAPI" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}
true
{{- end -}}
{{- end -}}

{{/* A Go-style duration ("90s", "15m", "1h30m") in whole seconds, for PromQL comparisons. */}}
{{- define "ack-node-operator.durationSeconds" -}}
{{- $total := 0 -}}
{{- range regexFindAll "[0-9]+[smhd]" . -1 -}}
{{- $n := int (trimSuffix "s" (trimSuffix "m" (trimSuffix "h" (trimSuffix "d" .)))) -}}
{{- $unit := dict "s" 1 "m" 60 "h" 3600 "d" 86400 -}}
{{- $total = add $total (mul $n (get $unit (substr (int (sub (len .) 1)) (len .) .))) -}}
{{- end -}}
{{- $total -}}
{{- end -}}
