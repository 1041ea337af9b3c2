/// `plan`: each action kind with its exact reason, ownership (adopt, never prune what is not ours or a PVC),
/// create-only mode and the order of actions.
module Ztwim.Specs.Plan.PlanSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Specs.Api.Examples

let private ns = "zero-trust-workload-identity-manager"

let private ref (apiVersion: string) (kind: string) (name: string) =
    { ApiVersion = apiVersion
      Kind = kind
      Namespace = Some ns
      Name = name }

let private statefulSet = ref "apps/v1" "StatefulSet" "spire-server"
let private service = ref "v1" "Service" "spire-server"
let private configMap = ref "v1" "ConfigMap" "spire-server"
let private claim = ref "v1" "PersistentVolumeClaim" "spire-data-spire-server-0"

let private clusterRole =
    { ApiVersion = "rbac.authorization.k8s.io/v1"
      Kind = "ClusterRole"
      Namespace = None
      Name = "spire-server" }

/// Our labels for a component, as JSON members of `metadata.labels`.
let private ours (role: string) =
    sprintf
        """"app.kubernetes.io/managed-by": "zero-trust-workload-identity-manager", "app.kubernetes.io/component": "%s", "app.kubernetes.io/name": "spire-server" """
        role

/// An object with these labels (JSON members) and body members.
let private object (r: ObjectRef) (labels: string) (body: string) =
    let nsMember =
        match r.Namespace with
        | Some n -> sprintf """, "namespace": "%s" """ n
        | None -> ""

    json (
        sprintf
            """{"apiVersion": "%s", "kind": "%s", "metadata": {"name": "%s"%s, "labels": {%s}}%s}"""
            r.ApiVersion
            r.Kind
            r.Name
            nsMember
            labels
            (if body = "" then "" else ", " + body)
    )

let private desiredSts =
    object
        statefulSet
        (ours "control-plane")
        """"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "spire-server", "image": "spire:1.13.3"}]}}}"""

let private desiredService =
    object service (ours "control-plane") """"spec": {"ports": [{"name": "grpc", "port": 443, "targetPort": 8081}]}"""

let private desiredConfigMap =
    object configMap (ours "control-plane") """"data": {"server.conf": "{}"}"""

/// What the API server stores for an object we applied: server-added metadata, defaults and status.
let private served (j: Json) =
    match j with
    | Json.Object m ->
        let metadata =
            match Map.tryFind "metadata" m with
            | Some(Json.Object md) ->
                Json.Object(
                    md
                    |> Map.add "uid" (str "0b7c")
                    |> Map.add "resourceVersion" (str "12")
                    |> Map.add "creationTimestamp" (str "2026-01-02T15:04:05Z")
                )
            | _ -> Json.obj []

        Json.Object(
            m
            |> Map.add "metadata" metadata
            |> Map.add "status" (json """{"observedGeneration": 1}""")
        )
    | other -> other

/// Sets (Some) or removes (None) one label: label keys hold dots, which field paths split on.
let private withLabel (key: string) (value: string option) (j: Json) =
    let labels =
        match tryGet "metadata.labels" j with
        | Some(Json.Object m) -> m
        | _ -> Map.empty

    let changed =
        match value with
        | Some v -> Map.add key (str v) labels
        | None -> Map.remove key labels

    set "metadata.labels" (Json.Object changed) j

let private input (desired: (ObjectRef * Json) list) (observed: (ObjectRef * Json) list) =
    { Desired = desired |> List.map Manifest
      Observed = Map.ofList observed
      Component = [ "control-plane" ]
      CreateOnly = false }

let private createOnly (i: PlanInput) = { i with CreateOnly = true }

let private expectPlan (i: PlanInput) (expected: Action list) =
    Expect.equal (Plan.plan i) expected "actions"

let private managedByMissing =
    "metadata.labels[app.kubernetes.io/managed-by] is missing"

[<Tests>]
let specs =
    testList
        "Plan.plan"
        [ testList
              "actions"
              [ test "a missing object is created with its full desired JSON" {
                    expectPlan (input [ statefulSet, desiredSts ] []) [ Create(statefulSet, desiredSts) ]
                }

                test "an object that is up to date needs nothing" {
                    expectPlan (input [ statefulSet, desiredSts ] [ statefulSet, served desiredSts ]) []
                }

                test "an object that differs is applied with our fields and the first difference" {
                    let observed =
                        set "spec.template.spec.containers[0].image" (str "spire:1.12.0") (served desiredSts)

                    expectPlan
                        (input [ statefulSet, desiredSts ] [ statefulSet, observed ])
                        [ Apply(statefulSet, desiredSts, "spec.template.spec.containers[spire-server].image differs") ]
                }

                test "an object that lost one of our labels is applied" {
                    let observed = withLabel "app.kubernetes.io/name" None (served desiredSts)

                    expectPlan
                        (input [ statefulSet, desiredSts ] [ statefulSet, observed ])
                        [ Apply(statefulSet, desiredSts, "metadata.labels[app.kubernetes.io/name] is missing") ]
                }

                test "an object with our name but without our managed-by label is adopted" {
                    let observed = object service "" """"spec": {"ports": [{"port": 443}]}"""

                    expectPlan
                        (input [ service, desiredService ] [ service, observed ])
                        [ Adopt(service, desiredService, managedByMissing) ]
                }

                test "an object managed by someone else is adopted" {
                    let helm =
                        withLabel "app.kubernetes.io/managed-by" (Some "helm") (served desiredService)

                    expectPlan
                        (input [ service, desiredService ] [ service, helm ])
                        [ Adopt(service, desiredService, "metadata.labels[app.kubernetes.io/managed-by] differs") ]
                }

                test "an unlabelled object is adopted even when its fields match" {
                    let observed = withLabel "app.kubernetes.io/managed-by" None (served desiredService)

                    expectPlan
                        (input [ service, desiredService ] [ service, observed ])
                        [ Adopt(service, desiredService, managedByMissing) ]
                }

                test "an object of ours, of this controller, no longer desired is deleted" {
                    expectPlan
                        (input [] [ configMap, served desiredConfigMap ])
                        [ Delete(configMap, "no longer desired") ]
                }

                test "a cluster-scoped object of ours no longer desired is deleted" {
                    let role = object clusterRole (ours "control-plane") """"rules": []"""
                    expectPlan (input [] [ clusterRole, role ]) [ Delete(clusterRole, "no longer desired") ]
                } ]
          testList
              "ownership"
              [ test "an orphan of another controller's component is left alone" {
                    let agent = object configMap (ours "node-agent") ""
                    expectPlan (input [] [ configMap, agent ]) []
                }

                test "an orphan without a component label is left alone" {
                    let bare =
                        object
                            configMap
                            """"app.kubernetes.io/managed-by": "zero-trust-workload-identity-manager" """
                            ""

                    expectPlan (input [] [ configMap, bare ]) []
                }

                test "an object without our managed-by label is never deleted" {
                    let theirs =
                        object configMap """"app.kubernetes.io/component": "control-plane" """ ""

                    expectPlan (input [] [ configMap, theirs ]) []
                }

                test "an object managed by someone else is never deleted" {
                    let theirs =
                        object
                            configMap
                            """"app.kubernetes.io/managed-by": "helm", "app.kubernetes.io/component": "control-plane" """
                            ""

                    expectPlan (input [] [ configMap, theirs ]) []
                }

                test "a PersistentVolumeClaim of ours no longer desired is never deleted" {
                    let pvc =
                        object
                            claim
                            (ours "control-plane")
                            """"spec": {"resources": {"requests": {"storage": "1Gi"}}}"""

                    expectPlan (input [] [ claim, pvc ]) []
                }

                test "a serving certificate is no action, and its Secret is not pruned" {
                    let certificate =
                        ServingCertificateFor
                            { SecretName = "spire-server-tls"
                              Namespace = ns
                              DnsNames = [ "spire-server." + ns + ".svc" ] }

                    let secret = ref "v1" "Secret" "spire-server-tls"

                    let i =
                        { input [] [ secret, object secret (ours "control-plane") "" ] with
                            Desired = [ certificate ] }

                    expectPlan i []
                }

                test "another component of the same controller is pruned too" {
                    let webhook = object configMap (ours "webhook") ""

                    expectPlan
                        { input [] [ configMap, webhook ] with
                            Component = [ "control-plane"; "webhook" ] }
                        [ Delete(configMap, "no longer desired") ]
                } ]
          testList
              "create-only"
              [ test "a missing object is created" {
                    expectPlan (createOnly (input [ statefulSet, desiredSts ] [])) [ Create(statefulSet, desiredSts) ]
                }

                test "an object that differs is left as it is" {
                    let observed = set "spec.replicas" (num 3) (served desiredSts)

                    expectPlan (createOnly (input [ statefulSet, desiredSts ] [ statefulSet, observed ])) []
                }

                test "an unlabelled object is not adopted" {
                    expectPlan (createOnly (input [ service, desiredService ] [ service, object service "" "" ])) []
                }

                test "an orphan is not deleted" {
                    expectPlan (createOnly (input [] [ configMap, served desiredConfigMap ])) []
                } ]
          testList
              "order"
              [ test "desired order, then deletions sorted by ref" {
                    let orphanB = ref "v1" "ConfigMap" "b"
                    let orphanA = ref "v1" "ConfigMap" "a"
                    let orphanRole = { clusterRole with Name = "old" }

                    let observed =
                        [ orphanB, object orphanB (ours "control-plane") ""
                          orphanRole, object orphanRole (ours "control-plane") ""
                          orphanA, object orphanA (ours "control-plane") ""
                          service, object service "" "" ]

                    expectPlan
                        (input
                            [ statefulSet, desiredSts
                              service, desiredService
                              configMap, desiredConfigMap ]
                            observed)
                        [ Create(statefulSet, desiredSts)
                          Adopt(service, desiredService, managedByMissing)
                          Create(configMap, desiredConfigMap)
                          // ObjectRef order: apiVersion, kind, namespace, name.
                          Delete(orphanRole, "no longer desired")
                          Delete(orphanA, "no longer desired")
                          Delete(orphanB, "no longer desired") ]
                }

                test "a ref desired twice gives one action, for its first manifest" {
                    let other = set "spec.replicas" (num 2) desiredSts

                    expectPlan
                        (input [ statefulSet, desiredSts; statefulSet, other ] [])
                        [ Create(statefulSet, desiredSts) ]
                } ]
          testList
              "printing"
              [ test "each action kind" {
                    let printed =
                        [ Create(statefulSet, desiredSts)
                          Apply(statefulSet, desiredSts, "spec.replicas differs")
                          Adopt(clusterRole, Json.obj [], managedByMissing)
                          Delete(configMap, "no longer desired") ]
                        |> List.map Action.describe

                    Expect.equal
                        printed
                        [ "create apps/v1 StatefulSet zero-trust-workload-identity-manager/spire-server: not found"
                          "apply apps/v1 StatefulSet zero-trust-workload-identity-manager/spire-server: spec.replicas differs"
                          "adopt rbac.authorization.k8s.io/v1 ClusterRole spire-server: metadata.labels[app.kubernetes.io/managed-by] is missing"
                          "delete v1 ConfigMap zero-trust-workload-identity-manager/spire-server: no longer desired" ]
                        "printed"
                }

                test "only creation leaves existing objects alone" {
                    let actions =
                        [ Create(statefulSet, desiredSts)
                          Apply(statefulSet, desiredSts, "r")
                          Adopt(statefulSet, desiredSts, "r")
                          Delete(statefulSet, "r") ]

                    Expect.equal (actions |> List.map Action.touchesExisting) [ false; true; true; true ] "touches"
                    Expect.isTrue (actions |> List.forall Action.isWrite) "all write"
                    Expect.equal (actions |> List.map Action.ref |> List.distinct) [ statefulSet ] "refs"
                } ] ]
