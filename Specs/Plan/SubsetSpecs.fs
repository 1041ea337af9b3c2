/// "desired ⊆ observed": each normalisation the API server applies, each list Kubernetes merges by key, and the
/// exact path and problem of the first difference.
module Ztwim.Specs.Plan.SubsetSpecs

open Expecto
open Ztwim.Kernel.Plan
open Ztwim.Specs.Api.Examples

/// One row: a desired and an observed document, and the difference expected (None: desired ⊆ observed).
type private Row =
    { Name: string
      Desired: string
      Observed: string
      Expected: string option }

let private row name desired observed expected =
    { Name = name
      Desired = desired
      Observed = observed
      Expected = expected }

let private holds name desired observed = row name desired observed None

let private differs name desired observed (reason: string) = row name desired observed (Some reason)

let private table (name: string) (rows: Row list) =
    testList
        name
        [ for r in rows ->
              test r.Name {
                  let actual =
                      Subset.difference (json r.Desired) (json r.Observed)
                      |> Option.map Difference.describe

                  Expect.equal actual r.Expected "difference"
              } ]

/// A pod template with these containers (JSON text of the list).
let private pod (containers: string) =
    sprintf """{"kind": "StatefulSet", "spec": {"template": {"spec": {"containers": %s}}}}""" containers

let private podSpec (members: string) =
    sprintf """{"kind": "DaemonSet", "spec": {"template": {"spec": {%s}}}}""" members

let private container (members: string) =
    pod (sprintf """[{"name": "c", %s}]""" members)

let private service (ports: string) =
    sprintf """{"kind": "Service", "spec": {"ports": %s}}""" ports

let private limits (members: string) =
    container (sprintf """"resources": {"limits": {%s}}""" members)

let private requests (members: string) =
    container (sprintf """"resources": {"requests": {%s}}""" members)

let private claim (storage: string) =
    sprintf """{"kind": "PersistentVolumeClaim", "spec": {"resources": {"requests": {"storage": %s}}}}""" storage

let private labels (members: string) =
    sprintf """{"metadata": {"labels": {%s}}}""" members

let private annotations (members: string) =
    sprintf """{"metadata": {"annotations": {%s}}}""" members

let private limitPath = "spec.template.spec.containers[c].resources.limits"

[<Tests>]
let specs =
    testList
        "Plan.Subset"
        [ table
              "objects"
              [ holds "equal objects" """{"a": 1, "b": {"c": "x"}}""" """{"a": 1, "b": {"c": "x"}}"""
                holds
                    "fields the server adds never matter"
                    """{"metadata": {"name": "n"}, "spec": {"replicas": 1}}"""
                    """{"metadata": {"name": "n", "uid": "u-1", "resourceVersion": "42", "generation": 3,
                        "creationTimestamp": "2026-01-02T15:04:05Z", "managedFields": [{"manager": "ztwim"}]},
                        "spec": {"replicas": 1, "revisionHistoryLimit": 10}, "status": {"replicas": 1}}"""
                differs "a missing field" """{"spec": {"replicas": 1}}""" """{"spec": {}}""" "spec.replicas is missing"
                differs
                    "a changed field"
                    """{"spec": {"replicas": 1}}"""
                    """{"spec": {"replicas": 2}}"""
                    "spec.replicas differs"
                differs
                    "a changed type"
                    """{"spec": {"selector": {"a": "b"}}}"""
                    """{"spec": {"selector": "a=b"}}"""
                    "spec.selector differs"
                differs "a missing top-level field" """{"data": {"k": "v"}}""" "{}" "data is missing"
                holds "a null in desired means absent" """{"spec": {"x": null}}""" """{"spec": {"x": 3}}"""
                holds "a null in observed means absent" """{"spec": {"x": ""}}""" """{"spec": {"x": null}}"""
                differs
                    "members with dots and slashes are shown in brackets"
                    """{"data": {"server.conf": "a"}}"""
                    """{"data": {"server.conf": "b"}}"""
                    "data[server.conf] differs"
                differs "the first difference in key order" """{"a": 1, "b": 2}""" """{"a": 0, "b": 0}""" "a differs"
                differs "true is not 1" """{"a": true}""" """{"a": 1}""" "a differs"
                differs "booleans compare exactly" """{"a": true}""" """{"a": "true"}""" "a differs"
                differs
                    "ordinary ints do not match strings"
                    """{"spec": {"replicas": 1}}"""
                    """{"spec": {"replicas": "1"}}"""
                    "spec.replicas differs"
                holds "1 and 1.0 are one number" """{"spec": {"replicas": 1}}""" """{"spec": {"replicas": 1.0}}""" ]
          table
              "empty versus absent"
              [ holds "an empty string equals absent" """{"spec": {"a": ""}}""" """{"spec": {}}"""
                holds "an empty map equals absent" """{"spec": {"a": {}}}""" """{"spec": {}}"""
                holds "an empty list equals absent" """{"spec": {"a": []}}""" """{"spec": {}}"""
                holds "empty labels equal absent" """{"metadata": {"labels": {}}}""" """{"metadata": {}}"""
                holds "an empty map is a subset of any map" """{"spec": {"a": {}}}""" """{"spec": {"a": {"b": 1}}}"""
                differs
                    "an empty string is not another string"
                    """{"spec": {"a": ""}}"""
                    """{"spec": {"a": "x"}}"""
                    "spec.a differs"
                differs
                    "an empty list is not a longer list"
                    """{"spec": {"a": []}}"""
                    """{"spec": {"a": [1]}}"""
                    "spec.a has 1 item, desired 0"
                differs "zero is not absent" """{"spec": {"a": 0}}""" """{"spec": {}}""" "spec.a is missing"
                differs "false is not absent" """{"spec": {"a": false}}""" """{"spec": {}}""" "spec.a is missing" ]
          table
              "labels and annotations"
              [ holds "our labels within more labels" (labels """"a": "1" """) (labels """"a": "1", "b": "2" """)
                holds
                    "our annotations within more annotations"
                    (annotations """"ztwim.openshift.io/x": "1" """)
                    (annotations
                        """"ztwim.openshift.io/x": "1", "kubectl.kubernetes.io/last-applied-configuration": "{}" """)
                differs
                    "a label removed"
                    (labels """"app.kubernetes.io/name": "spire-server", "b": "2" """)
                    (labels """"b": "2" """)
                    "metadata.labels[app.kubernetes.io/name] is missing"
                differs
                    "a label changed"
                    (labels """"app.kubernetes.io/managed-by": "zero-trust-workload-identity-manager" """)
                    (labels """"app.kubernetes.io/managed-by": "helm" """)
                    "metadata.labels[app.kubernetes.io/managed-by] differs"
                differs
                    "an annotation removed"
                    (annotations """"ztwim.openshift.io/spire-server-config-hash": "abc" """)
                    (annotations """"other": "x" """)
                    "metadata.annotations[ztwim.openshift.io/spire-server-config-hash] is missing" ]
          table
              "resource quantities"
              [ holds "1Gi is 1024Mi" (limits """"memory": "1Gi" """) (limits """"memory": "1024Mi" """)
                holds "1 is 1000m" (limits """"cpu": "1" """) (limits """"cpu": "1000m" """)
                holds "a number is its string" (limits """"cpu": 1""") (limits """"cpu": "1" """)
                holds "a string is its number" (requests """"cpu": "2" """) (requests """"cpu": 2""")
                holds "0.5 is 500m" (requests """"cpu": 0.5""") (requests """"cpu": "500m" """)
                holds "1e3 is 1k" (requests """"memory": "1e3" """) (requests """"memory": "1k" """)
                holds "storage requests of a claim" (claim "\"1Gi\"") (claim "\"1073741824\"")
                holds
                    "storage requests of a claim template"
                    """{"spec": {"volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": "1Gi"}}}}]}}"""
                    """{"spec": {"volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": "1024Mi"}}}}]}}"""
                holds
                    "an emptyDir's size limit"
                    (podSpec """"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}]""")
                    (podSpec """"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}]""")
                differs
                    "1Gi is not 1G"
                    (limits """"memory": "1Gi" """)
                    (limits """"memory": "1G" """)
                    (limitPath + ".memory differs")
                differs
                    "a changed quantity"
                    (limits """"cpu": "500m" """)
                    (limits """"cpu": "1" """)
                    (limitPath + ".cpu differs")
                differs
                    "an unparsable quantity is compared as written"
                    (limits """"cpu": "lots" """)
                    (limits """"cpu": "1" """)
                    (limitPath + ".cpu differs")
                differs
                    "a quantity elsewhere is just a string"
                    (annotations """"size": "1Gi" """)
                    (annotations """"size": "1024Mi" """)
                    "metadata.annotations.size differs" ]
          table
              "ints or strings"
              [ holds
                    "a Service targetPort int comes back a string"
                    (service """[{"port": 443, "targetPort": 8443}]""")
                    (service """[{"port": 443, "targetPort": "8443"}]""")
                holds
                    "a Service targetPort string comes back an int"
                    (service """[{"port": 443, "targetPort": "8443"}]""")
                    (service """[{"port": 443, "targetPort": 8443}]""")
                holds
                    "a named targetPort"
                    (service """[{"port": 443, "targetPort": "https"}]""")
                    (service """[{"port": 443, "targetPort": "https"}]""")
                holds
                    "an httpGet probe port"
                    (container """"livenessProbe": {"httpGet": {"port": 8080, "path": "/live"}}""")
                    (container """"livenessProbe": {"httpGet": {"port": "8080", "path": "/live"}}""")
                holds
                    "a tcpSocket probe port"
                    (container """"readinessProbe": {"tcpSocket": {"port": "8081"}}""")
                    (container """"readinessProbe": {"tcpSocket": {"port": 8081}}""")
                holds
                    "a rolling update's maxUnavailable"
                    """{"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 1}}}}"""
                    """{"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": "1"}}}}"""
                holds
                    "a rolling update's maxSurge"
                    """{"spec": {"strategy": {"rollingUpdate": {"maxSurge": "2"}}}}"""
                    """{"spec": {"strategy": {"rollingUpdate": {"maxSurge": 2}}}}"""
                holds
                    "a disruption budget's minAvailable"
                    """{"spec": {"minAvailable": 1}}"""
                    """{"spec": {"minAvailable": "1"}}"""
                holds
                    "a Route's target port"
                    """{"kind": "Route", "spec": {"port": {"targetPort": 8443}}}"""
                    """{"kind": "Route", "spec": {"port": {"targetPort": "8443"}}}"""
                differs
                    "a percentage is not an int"
                    """{"spec": {"minAvailable": 1}}"""
                    """{"spec": {"minAvailable": "1%"}}"""
                    "spec.minAvailable differs"
                differs
                    "a changed targetPort"
                    (service """[{"port": 443, "targetPort": 8443}]""")
                    (service """[{"port": 443, "targetPort": "8444"}]""")
                    "spec.ports[443/TCP].targetPort differs"
                differs
                    "a Service port is an int, not IntOrString"
                    (service """[{"port": 443}]""")
                    (service """[{"port": "443"}]""")
                    "spec.ports[443/TCP].port differs"
                differs
                    "a containerPort is an int, not IntOrString"
                    (container """"ports": [{"containerPort": 8443}]""")
                    (container """"ports": [{"containerPort": "8443"}]""")
                    "spec.template.spec.containers[c].ports[8443/TCP].containerPort differs"
                differs
                    "a port elsewhere is an int"
                    """{"kind": "Route", "spec": {"port": 8443}}"""
                    """{"kind": "Route", "spec": {"port": "8443"}}"""
                    "spec.port differs" ]
          table
              "lists merged by key"
              [ holds
                    "containers in another order"
                    (pod """[{"name": "a"}, {"name": "b"}]""")
                    (pod """[{"name": "b"}, {"name": "a"}]""")
                holds
                    "containers beside one injected by someone else"
                    (pod """[{"name": "a", "image": "i"}]""")
                    (pod
                        """[{"name": "istio-proxy"}, {"name": "a", "image": "i", "terminationMessagePath": "/dev/termination-log"}]""")
                differs
                    "a container missing"
                    (pod """[{"name": "a"}, {"name": "b"}]""")
                    (pod """[{"name": "a"}]""")
                    "spec.template.spec.containers[b] is missing"
                differs
                    "a container's image"
                    (pod """[{"name": "spire-server", "image": "spire:1"}]""")
                    (pod """[{"name": "spire-server", "image": "spire:2"}]""")
                    "spec.template.spec.containers[spire-server].image differs"
                differs
                    "init containers by name"
                    (podSpec """"initContainers": [{"name": "init", "image": "a"}]""")
                    (podSpec """"initContainers": [{"name": "other", "image": "a"}, {"name": "init", "image": "b"}]""")
                    "spec.template.spec.initContainers[init].image differs"
                holds
                    "volumes by name"
                    (podSpec """"volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "configMap": {"name": "c"}}]""")
                    (podSpec
                        """"volumes": [{"name": "b", "configMap": {"name": "c", "defaultMode": 420}}, {"name": "a", "emptyDir": {}}]""")
                differs
                    "a volume's source"
                    (podSpec """"volumes": [{"name": "b", "configMap": {"name": "c"}}]""")
                    (podSpec """"volumes": [{"name": "b", "configMap": {"name": "d"}}]""")
                    "spec.template.spec.volumes[b].configMap.name differs"
                holds
                    "env by name"
                    (container """"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]""")
                    (container
                        """"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}, {"name": "C", "value": "3"}]""")
                differs
                    "an env value"
                    (container """"env": [{"name": "HTTPS_PROXY", "value": "http://a"}]""")
                    (container """"env": [{"name": "HTTPS_PROXY", "value": "http://b"}]""")
                    "spec.template.spec.containers[c].env[HTTPS_PROXY].value differs"
                holds
                    "an empty env value is dropped by the server"
                    (container """"env": [{"name": "NO_PROXY", "value": ""}]""")
                    (container """"env": [{"name": "NO_PROXY"}]""")
                holds
                    "volume mounts by mount path"
                    (container
                        """"volumeMounts": [{"name": "a", "mountPath": "/a"}, {"name": "a", "mountPath": "/b", "subPath": "b"}]""")
                    (container
                        """"volumeMounts": [{"name": "a", "mountPath": "/b", "subPath": "b"}, {"name": "a", "mountPath": "/a"}]""")
                differs
                    "a volume mount moved"
                    (container """"volumeMounts": [{"name": "a", "mountPath": "/a"}]""")
                    (container """"volumeMounts": [{"name": "a", "mountPath": "/z"}]""")
                    "spec.template.spec.containers[c].volumeMounts[/a] is missing"
                holds
                    "container ports by port and protocol, TCP by default"
                    (container
                        """"ports": [{"containerPort": 8081, "name": "healthz"}, {"containerPort": 53, "protocol": "UDP"}]""")
                    (container
                        """"ports": [{"containerPort": 53, "protocol": "UDP"}, {"containerPort": 8081, "name": "healthz", "protocol": "TCP"}]""")
                differs
                    "a container port with another protocol"
                    (container """"ports": [{"containerPort": 53, "protocol": "UDP"}]""")
                    (container """"ports": [{"containerPort": 53, "protocol": "TCP"}]""")
                    "spec.template.spec.containers[c].ports[53/UDP] is missing"
                differs
                    "a container port's name"
                    (container """"ports": [{"containerPort": 8081, "name": "healthz"}]""")
                    (container """"ports": [{"containerPort": 8081, "name": "health"}]""")
                    "spec.template.spec.containers[c].ports[8081/TCP].name differs"
                holds
                    "Service ports by port and protocol, TCP by default"
                    (service """[{"name": "grpc", "port": 8081, "targetPort": 8081}, {"name": "https", "port": 443}]""")
                    (service
                        """[{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}, {"name": "grpc", "port": 8081, "protocol": "TCP", "targetPort": 8081}]""")
                differs
                    "a Service port missing"
                    (service """[{"port": 443}, {"port": 80}]""")
                    (service """[{"port": 443}]""")
                    "spec.ports[80/TCP] is missing"
                differs
                    "ports of a kind other than Service compare by position"
                    """{"kind": "Thing", "spec": {"ports": [{"port": 1}, {"port": 2}]}}"""
                    """{"kind": "Thing", "spec": {"ports": [{"port": 2}, {"port": 1}]}}"""
                    "spec.ports[0].port differs"
                holds
                    "tolerations by key, effect and operator"
                    (podSpec
                        """"tolerations": [{"key": "a", "effect": "NoSchedule", "operator": "Exists"}, {"operator": "Exists"}]""")
                    (podSpec
                        """"tolerations": [{"operator": "Exists"}, {"key": "b", "operator": "Exists"}, {"key": "a", "operator": "Exists", "effect": "NoSchedule"}]""")
                holds
                    "a toleration's operator is Equal by default"
                    (podSpec """"tolerations": [{"key": "a", "value": "v"}]""")
                    (podSpec """"tolerations": [{"key": "a", "operator": "Equal", "value": "v"}]""")
                differs
                    "a toleration's value"
                    (podSpec
                        """"tolerations": [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule", "operator": "Equal", "value": "a"}]""")
                    (podSpec
                        """"tolerations": [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule", "operator": "Equal", "value": "b"}]""")
                    "spec.template.spec.tolerations[node-role.kubernetes.io/master:NoSchedule:Equal].value differs"
                differs
                    "a toleration with another effect"
                    (podSpec """"tolerations": [{"key": "a", "effect": "NoSchedule", "operator": "Exists"}]""")
                    (podSpec """"tolerations": [{"key": "a", "effect": "NoExecute", "operator": "Exists"}]""")
                    "spec.template.spec.tolerations[a:NoSchedule:Exists] is missing"
                holds
                    "owner references by uid"
                    """{"metadata": {"ownerReferences": [{"uid": "u1", "kind": "SpireServer"}]}}"""
                    """{"metadata": {"ownerReferences": [{"uid": "u0", "kind": "Other"}, {"uid": "u1", "kind": "SpireServer"}]}}"""
                differs
                    "an owner reference missing"
                    """{"metadata": {"ownerReferences": [{"uid": "u1"}]}}"""
                    """{"metadata": {"ownerReferences": [{"uid": "u2"}]}}"""
                    "metadata.ownerReferences[u1] is missing"
                differs
                    "duplicate names in desired compare by position"
                    (container """"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]""")
                    (container """"env": [{"name": "A", "value": "2"}, {"name": "A", "value": "1"}]""")
                    "spec.template.spec.containers[c].env[0].value differs" ]
          table
              "lists by position"
              [ holds "equal lists" """{"spec": {"args": ["a", "b"]}}""" """{"spec": {"args": ["a", "b"]}}"""
                holds
                    "items are subsets of their counterparts"
                    """{"rules": [{"verbs": ["get"]}]}"""
                    """{"rules": [{"verbs": ["get"], "apiGroups": [""]}]}"""
                differs
                    "reordered"
                    """{"spec": {"args": ["a", "b"]}}"""
                    """{"spec": {"args": ["b", "a"]}}"""
                    "spec.args[0] differs"
                differs
                    "longer"
                    """{"spec": {"args": ["a"]}}"""
                    """{"spec": {"args": ["a", "b"]}}"""
                    "spec.args has 2 items, desired 1"
                differs
                    "shorter"
                    """{"spec": {"args": ["a", "b"]}}"""
                    """{"spec": {"args": ["a"]}}"""
                    "spec.args has 1 item, desired 2"
                differs
                    "a named list whose items have no names"
                    """{"kind": "SecurityContextConstraints", "volumes": ["configMap", "secret"]}"""
                    """{"kind": "SecurityContextConstraints", "volumes": ["secret", "configMap"]}"""
                    "volumes[0] differs"
                differs
                    "a list is not an object"
                    """{"spec": {"args": ["a"]}}"""
                    """{"spec": {"args": {"a": 1}}}"""
                    "spec.args differs" ] ]
