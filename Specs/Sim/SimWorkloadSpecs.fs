module Ztwim.Specs.Sim.SimWorkloadSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Status
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private seconds (n: float) = TimeSpan.FromSeconds n

let private apply (s: Sim) obj =
    s.User.ApplyAsync(obj, "ztwim", true, ct) |> ok

let private workload (kind: string) (name: string) (image: string) (extraSpec: string) =
    json (
        sprintf
            """{"apiVersion": "apps/v1", "kind": "%s", "metadata": {"name": "%s", "namespace": "ns"},
                "spec": {"selector": {"matchLabels": {"app": "%s"}}, %s
                         "template": {"metadata": {"labels": {"app": "%s"}}, "spec": {"containers": [{"name": "main", "image": "%s"}]}}}}"""
            kind
            name
            name
            extraSpec
            name
            image
    )

let private tainted =
    SimClusterOptions(
        Nodes =
            [ SimNode.Worker "node-1"
              SimNode.Worker "node-2"
              SimNode.Worker("node-3", SimTaint("dedicated", "infra", "NoSchedule")) ]
    )

let private podNodes (s: Sim) =
    s.Cluster.Objects(pods, "ns")
    |> Seq.map (text "spec.nodeName")
    |> Seq.sort
    |> List.ofSeq

let private health (w: Workload) (obj: Json) = WorkloadHealth.problem w obj

let private daemonSet =
    testList
        "DaemonSet"
        [ test "one pod per node it tolerates; status counts them as they become ready" {
              let s = simWith tainted
              let ds = apply s (workload "DaemonSet" "agent" "agent:1" "")
              advance s (seconds 0.2)
              Expect.equal (podNodes s) [ "node-1"; "node-2" ] "the tainted node is skipped"
              let scheduled = reread s ds
              Expect.equal (number "status.desiredNumberScheduled" scheduled) 2L "desired"
              Expect.equal (number "status.currentNumberScheduled" scheduled) 2L "current"
              Expect.equal (number "status.numberReady" scheduled) 0L "not ready yet"
              Expect.equal (health DaemonSet scheduled) (Some "DaemonSet has 0/2 pods ready") "unhealthy"
              advance s (seconds 6.0)
              let ready = reread s ds

              for field in [ "numberReady"; "updatedNumberScheduled"; "numberAvailable" ] do
                  Expect.equal (number ("status." + field) ready) 2L field

              Expect.equal (number "status.observedGeneration" ready) 1L "observedGeneration"
              Expect.equal (health DaemonSet ready) None "healthy"
          }
          test "tolerating the taint adds the third node and rolls the others to the new template" {
              let s = simWith tainted
              apply s (workload "DaemonSet" "agent" "agent:1" "") |> ignore
              advance s (seconds 10.0)

              let tolerating =
                  workload "DaemonSet" "agent" "agent:1" ""
                  |> set
                      "spec.template.spec.tolerations"
                      (json """[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]""")

              let ds = apply s tolerating
              Expect.equal (number "metadata.generation" ds) 2L "a template change is a new generation"
              advance s (seconds 60.0)
              let rolled = reread s ds
              Expect.equal (podNodes s) [ "node-1"; "node-2"; "node-3" ] "every node"

              for field in [ "desiredNumberScheduled"; "numberReady"; "updatedNumberScheduled" ] do
                  Expect.equal (number ("status." + field) rolled) 3L field

              Expect.equal (health DaemonSet rolled) None "healthy"
          }
          test "a nodeSelector limits the nodes" {
              let s =
                  simWith (
                      SimClusterOptions(
                          Nodes = [ SimNode.Worker "node-1"; (SimNode.Worker "node-2").WithLabel("disk", "ssd") ]
                      )
                  )

              apply
                  s
                  (workload "DaemonSet" "agent" "agent:1" ""
                   |> set "spec.template.spec.nodeSelector" (json """{"disk": "ssd"}"""))
              |> ignore

              advance s (seconds 1.0)
              Expect.equal (podNodes s) [ "node-2" ] "selected node"
          } ]

let private statefulSet =
    let sts =
        workload
            "StatefulSet"
            "server"
            "server:1"
            """"replicas": 2, "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],"""

    testList
        "StatefulSet"
        [ test "pods start in order, each after the one before is ready, with a claim per ordinal" {
              let s = sim ()
              let created = apply s sts
              advance s (seconds 0.2)
              Expect.equal (names s pods "ns") [ "server-0" ] "one at a time"
              advance s (seconds 5.0)
              Expect.equal (names s pods "ns") [ "server-0"; "server-1" ] "the next once server-0 is ready"
              advance s (seconds 6.0)
              let ready = reread s created
              Expect.equal (number "status.readyReplicas" ready) 2L "ready"
              Expect.equal (number "status.updatedReplicas" ready) 2L "updated"
              Expect.equal (health StatefulSet ready) None "healthy"
              Expect.equal (names s claims "ns") [ "data-server-0"; "data-server-1" ] "claims"

              let pod0 = s.Cluster.Objects(pods, "ns").[0]

              Expect.equal
                  (at "spec.volumes" pod0)
                  (json """[{"name": "data", "persistentVolumeClaim": {"claimName": "data-server-0"}}]""")
                  "the pod mounts its claim"

              Expect.equal (text "status.phase" (s.Cluster.Objects(claims, "ns").[0])) "Bound" "bound"
          }
          test "deleting the StatefulSet collects its pods but keeps its claims" {
              let s = sim ()
              let created = apply s sts
              advance s (seconds 20.0)
              s.User.DeleteAsync(refOf created, ct) |> ok |> ignore
              Expect.equal (names s pods "ns").Length 2 "pods linger until the garbage collector runs"
              advance s (seconds 2.0)
              Expect.equal (names s pods "ns") [] "pods collected"
              Expect.equal (names s claims "ns") [ "data-server-0"; "data-server-1" ] "claims survive"
          }
          test "a template change rolls the pods one at a time; status goes back to not updated, then updated" {
              let s = sim ()
              apply s sts |> ignore
              advance s (seconds 20.0)

              let changed =
                  apply s (sts |> set "spec.template.spec.containers[0].image" (str "server:2"))

              Expect.equal
                  (health StatefulSet changed)
                  (Some "StatefulSet update in progress (generation 2, observed 1)")
                  "not observed yet"

              advance s (seconds 0.2)
              let rolling = reread s changed
              Expect.equal (number "status.observedGeneration" rolling) 2L "observed"
              Expect.isLessThan (number "status.updatedReplicas" rolling) 2L "not all updated"
              Expect.isSome (health StatefulSet rolling) "unhealthy while rolling"
              advance s (seconds 30.0)
              let rolled = reread s changed
              Expect.equal (number "status.updatedReplicas" rolled) 2L "all updated"

              Expect.equal
                  (text "status.currentRevision" rolled)
                  (text "status.updateRevision" rolled)
                  "current = update revision"

              Expect.equal (health StatefulSet rolled) None "healthy"

              for pod in s.Cluster.Objects(pods, "ns") do
                  Expect.equal (text "spec.containers[0].image" pod) "server:2" "new image"
          }
          test "scaling down by a patch (kubectl scale) removes the highest ordinals, one at a time" {
              let s = sim ()
              let created = apply s (sts |> set "spec.replicas" (num 3))
              advance s (seconds 30.0)
              Expect.equal (names s pods "ns") [ "server-0"; "server-1"; "server-2" ] "three"

              s.User.MergePatchAsync(refOf created, json """{"spec": {"replicas": 1}}""", ct)
              |> ok
              |> ignore

              advance s (seconds 0.15)
              Expect.equal (names s pods "ns") [ "server-0"; "server-1" ] "the highest first"
              advance s (seconds 1.0)
              Expect.equal (names s pods "ns") [ "server-0" ] "then the next"
              Expect.equal (number "status.replicas" (reread s created)) 1L "status follows"
          } ]

let private deployment =
    testList
        "Deployment"
        [ test "replicas default to 1; the Deployment becomes available after the pod-ready delay" {
              let s = sim ()
              let d = apply s (workload "Deployment" "web" "web:1" "")
              Expect.equal (number "spec.replicas" d) 1L "defaulted"
              advance s (seconds 0.2)
              Expect.equal (health Deployment (reread s d)) (Some "Deployment has 0/1 replicas ready") "starting"
              advance s (seconds 6.0)
              let ready = reread s d

              for field in [ "replicas"; "updatedReplicas"; "readyReplicas"; "availableReplicas" ] do
                  Expect.equal (number ("status." + field) ready) 1L field

              Expect.equal (health Deployment ready) None "healthy"
          }
          test "a rollout surges new pods, keeps the old until the new are ready, then removes them" {
              let s = sim ()
              let d = workload "Deployment" "web" "web:1" """"replicas": 2,"""
              apply s d |> ignore
              advance s (seconds 10.0)

              let changed =
                  apply s (d |> set "spec.template.spec.containers[0].image" (str "web:2"))

              advance s (seconds 0.2)
              let surging = reread s changed
              Expect.equal (number "status.replicas" surging) 4L "old and new"
              Expect.equal (number "status.updatedReplicas" surging) 2L "new ones"
              Expect.equal (number "status.readyReplicas" surging) 2L "the old ones serve"
              advance s (seconds 6.0)
              let done' = reread s changed
              Expect.equal (number "status.replicas" done') 2L "old ones gone"
              Expect.equal (health Deployment done') None "healthy"
          }
          test "a pod no node fits stays Pending and unscheduled" {
              let s = sim ()

              let d =
                  apply
                      s
                      (workload "Deployment" "web" "web:1" ""
                       |> set "spec.template.spec.nodeSelector" (json """{"disk": "none"}"""))

              advance s (seconds 30.0)
              let pod = s.Cluster.Objects(pods, "ns").[0]
              Expect.isNone (tryGet "spec.nodeName" pod) "not bound"
              Expect.equal (text "status.phase" pod) "Pending" "pending"
              Expect.equal (text "status.conditions[0].reason" pod) "Unschedulable" "unschedulable"
              Expect.equal (health Deployment (reread s d)) (Some "Deployment has 0/1 replicas ready") "unhealthy"
          } ]

let private failures =
    testList
        "pod failures"
        [ test "an injected ImagePullBackOff keeps the pods not ready until it is cleared" {
              let s = sim ()
              s.Cluster.InjectPodFailure("ns", "web", "ImagePullBackOff")
              let d = apply s (workload "Deployment" "web" "web:1" "")
              advance s (seconds 30.0)
              let pod = s.Cluster.Objects(pods, "ns").[0]
              Expect.equal (text "status.containerStatuses[0].state.waiting.reason" pod) "ImagePullBackOff" "waiting"
              Expect.equal (number "status.readyReplicas" (reread s d)) 0L "not ready"
              s.Cluster.ClearPodFailure("ns", "web")
              advance s (seconds 6.0)
              Expect.equal (number "status.readyReplicas" (reread s d)) 1L "ready once cleared"
          }
          test "CrashLoopBackOff injected into running pods makes them not ready at once" {
              let s = sim ()
              let d = apply s (workload "Deployment" "web" "web:1" "")
              advance s (seconds 10.0)
              s.Cluster.InjectPodFailure("ns", "web", "CrashLoopBackOff")
              advance s (seconds 0.5)
              let pod = s.Cluster.Objects(pods, "ns").[0]
              Expect.equal (text "status.containerStatuses[0].state.waiting.reason" pod) "CrashLoopBackOff" "crashing"
              Expect.equal (health Deployment (reread s d)) (Some "Deployment has 0/1 replicas ready") "unhealthy"
          }
          test "a converged cluster is quiet: controllers write nothing while nothing changes" {
              let s = sim ()
              apply s (workload "Deployment" "web" "web:1" "") |> ignore
              apply s (workload "DaemonSet" "agent" "agent:1" "") |> ignore
              advance s (seconds 30.0)
              let before = s.Cluster.ResourceVersion
              advance s (TimeSpan.FromHours 1.0)
              Expect.equal s.Cluster.ResourceVersion before "no write"
          } ]

let private determinism =
    test "the same steps give byte-identical clusters" {
        let run () =
            let s = simWith tainted
            s.Cluster.InjectPodFailure("ns", "web", "CrashLoopBackOff")
            apply s (workload "Deployment" "web" "web:1" """"replicas": 3,""") |> ignore
            apply s (workload "DaemonSet" "agent" "agent:1" "") |> ignore
            apply s (workload "StatefulSet" "db" "db:1" """"replicas": 2,""") |> ignore
            advance s (seconds 15.0)

            s.User.RecordEventAsync(
                EventRecord(refTo "apps/v1" "Deployment" (Some "ns") "web", "Warning", "Crash", "it crashed"),
                ct
            )
            |> ok
            |> ignore

            s.Cluster.ClearPodFailure("ns", "web")
            advance s (seconds 30.0)

            s.Cluster.AllObjects()
            |> Seq.map (fun struct (_, o) -> o.Compact())
            |> String.concat "\n"

        let first = run ()
        Expect.equal (run ()) first "identical"
        Expect.stringContains first "\"kind\":\"Pod\"" "pods were made"
    }

[<Tests>]
let tests =
    testList "sim-cluster workloads" [ daemonSet; statefulSet; deployment; failures; determinism ]
