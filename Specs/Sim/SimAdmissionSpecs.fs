module Ztwim.Specs.Sim.SimAdmissionSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private apply (s: Sim) obj =
    s.User.ApplyAsync(obj, "kubectl", true, ct)

let private server = minimal Kind.SpireServer
let private ztwim = minimal Kind.ZeroTrustWorkloadIdentityManager

let private admission =
    testList
        "admission"
        [ test "a CR the kernel rejects is 422 naming the field path and the value" {
              let s = sim ()

              let e =
                  s.User.CreateAsync(server |> set "spec.persistence.size" (str "abc"), ct)
                  |> fails

              Expect.equal (e.Code, e.Reason) (422, "Invalid") "invalid"

              Expect.equal
                  e.Message
                  "SpireServer.operator.openshift.io \"cluster\" is invalid: spec.persistence.size: Invalid value: \"abc\": spec.persistence.size in body should match '^[1-9][0-9]*Gi$'"
                  "message"

              Expect.isTrue (isGone s (refTo Kind.apiVersion "SpireServer" None "cluster")) "nothing stored"
          }
          test "several errors are listed in brackets, as the API server does" {
              let s = sim ()

              let e =
                  apply
                      s
                      (server
                       |> set "spec.persistence.size" (str "abc")
                       |> set "metadata.name" (str "main"))
                  |> fails

              Expect.equal
                  e.Message
                  "SpireServer.operator.openshift.io \"main\" is invalid: [metadata.name: Invalid value: SpireServer is a singleton, .metadata.name must be 'cluster', spec.persistence.size: Invalid value: \"abc\": spec.persistence.size in body should match '^[1-9][0-9]*Gi$']"
                  "message"
          }
          test "changing the immutable trust domain is rejected, by update, patch or apply" {
              let s = sim ()
              let stored = s.User.CreateAsync(ztwim, ct) |> ok

              let expected =
                  "ZeroTrustWorkloadIdentityManager.operator.openshift.io \"cluster\" is invalid: spec.trustDomain: Invalid value: trustDomain is immutable and cannot be changed"

              let update =
                  s.User.UpdateAsync(set "spec.trustDomain" (str "other.org") stored, ct) |> fails

              let patch =
                  s.User.MergePatchAsync(refOf stored, json """{"spec": {"trustDomain": "other.org"}}""", ct)
                  |> fails

              let applied = apply s (set "spec.trustDomain" (str "other.org") ztwim) |> fails

              for e in [ update; patch; applied ] do
                  Expect.equal (e.Code, e.Message) (422, expected) "rejected"

              Expect.equal (text "spec.trustDomain" (reread s stored)) "example.org" "unchanged"
          }
          test "a change the rules allow goes through" {
              let s = sim ()
              let stored = s.User.CreateAsync(ztwim, ct) |> ok

              let changed =
                  s.User.UpdateAsync(set "spec.nodeSelector" (json """{"disk": "ssd"}""") stored, ct)
                  |> ok

              Expect.equal (number "metadata.generation" changed) 2L "generation"
          }
          test "the status of a CR is a subresource: a status apply writes it without a generation bump" {
              let s = sim ()

              let stored =
                  s.User.CreateAsync(ztwim |> set "status" (json """{"x": 1}"""), ct) |> ok

              Expect.isNone (tryGet "status" stored) "status dropped on create"

              let status =
                  ztwim
                  |> remove "spec"
                  |> set
                      "status.conditions"
                      (json
                          """[{"type": "Ready", "status": "True", "reason": "Ready", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}]""")

              let written = s.User.ApplyStatusAsync(status, "ztwim", true, ct) |> ok
              Expect.equal (text "status.conditions[0].status" written) "True" "status"
              Expect.equal (number "metadata.generation" written) 1L "generation"
              Expect.equal (text "spec.trustDomain" written) "example.org" "spec kept"
          } ]

let private defaulting =
    testList
        "CRD defaults and pruning"
        [ test "schema defaults fill absent properties whose parent is present" {
              let s = sim ()
              let stored = s.User.CreateAsync(server, ct) |> ok
              Expect.equal (text "spec.logLevel" stored) "info" "top-level default"
              Expect.equal (text "spec.persistence.size" stored) "1Gi" "default inside a present object"
              Expect.equal (text "spec.datastore.databaseType" stored) "sqlite3" "datastore"
              Expect.isNone (tryGet "spec.federation" stored) "an absent object stays absent"
          }
          test "an explicit value is kept; removing it by apply brings the default back" {
              let s = sim ()
              let debug = apply s (server |> set "spec.logLevel" (str "debug")) |> ok
              Expect.equal (text "spec.logLevel" debug) "debug" "explicit"
              let back = apply s server |> ok
              Expect.equal (text "spec.logLevel" back) "info" "defaulted again"
          }
          test "fields the schema does not know are pruned" {
              let s = sim ()

              let stored =
                  s.User.CreateAsync(server |> set "spec.trustDomain" (str "example.org"), ct)
                  |> ok

              Expect.isNone (tryGet "spec.trustDomain" stored) "pruned"
          }
          test "a defaulted stored CR applied again as sent is not a write" {
              let s = sim ()
              let first = apply s server |> ok
              let again = apply s server |> ok
              Expect.equal (rv again) (rv first) "no write"
          } ]

let private events =
    let regarding = refTo "apps/v1" "Deployment" (Some "ns") "web"

    testList
        "events"
        [ test "an event is stored in the regarding object's namespace, with its uid when it exists" {
              let s = sim ()
              let d = s.Cluster.Client("ztwim")

              let web =
                  s.User.CreateAsync(
                      json
                          """{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"}, "spec": {}}""",
                      ct
                  )
                  |> ok

              d.RecordEventAsync(EventRecord(regarding, "Normal", "Created", "made it"), ct)
              |> ok
              |> ignore

              let ev = s.Cluster.Objects(events, "ns") |> Seq.exactlyOne
              Expect.equal (text "involvedObject.uid" ev) (text "metadata.uid" web) "uid"

              Expect.equal
                  (text "reason" ev, text "message" ev, text "type" ev)
                  ("Created", "made it", "Normal")
                  "event"

              Expect.equal (text "source.component" ev) "ztwim" "source"
              Expect.equal (number "count" ev) 1L "count"
          }
          test "a repeat bumps the count of the same Event; a cluster-scoped object's events go to default" {
              let s = sim ()
              let cr = refTo Kind.apiVersion "SpireServer" None "cluster"

              for _ in 1..3 do
                  s.User.RecordEventAsync(EventRecord(cr, "Warning", "Invalid", "bad"), ct)
                  |> ok
                  |> ignore

                  advance s (TimeSpan.FromSeconds 10.0)

              s.User.RecordEventAsync(EventRecord(cr, "Warning", "Invalid", "other"), ct)
              |> ok
              |> ignore

              let stored = s.Cluster.Objects(events, "default")
              Expect.equal (stored |> Seq.map (number "count") |> List.ofSeq |> List.sort) [ 1L; 3L ] "aggregated"
              let repeated = stored |> Seq.find (fun e -> number "count" e = 3L)

              Expect.equal
                  (text "firstTimestamp" repeated, text "lastTimestamp" repeated)
                  ("2026-01-01T00:00:00Z", "2026-01-01T00:00:20Z")
                  "times"
          } ]

let private counting =
    testList
        "request counts"
        [ test "each client counts its requests by verb; writes are the six write verbs" {
              let s = sim ()
              let op = s.Cluster.Client "ztwim"
              let cm = configMap "a" [] []
              op.CreateAsync(cm, ct) |> ok |> ignore
              op.GetAsync(refOf cm, ct) |> ok |> ignore
              op.ListAsync(configMaps, "ns", null, ct) |> ok |> ignore
              op.ApplyAsync(cm, "ztwim", true, ct) |> ok |> ignore
              op.CreateAsync(cm, ct) |> fails |> ignore
              op.WatchAsync(configMaps, "ns", null, "", ct) |> ok |> ignore

              op.RecordEventAsync(EventRecord(refOf cm, "Normal", "R", "m"), ct)
              |> ok
              |> ignore

              op.MergePatchAsync(refOf cm, json """{"data": {"k": "v"}}""", ct)
              |> ok
              |> ignore

              op.DeleteAsync(refOf cm, ct) |> ok |> ignore

              Expect.equal
                  (op.Requests.ByVerb |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq)
                  [ "apply", 1L
                    "create", 2L
                    "delete", 1L
                    "event", 1L
                    "get", 1L
                    "list", 1L
                    "patch", 1L
                    "watch", 1L ]
                  "by verb"

              Expect.equal op.Requests.Writes 5L "writes, failed ones included"
              Expect.equal s.User.Requests.Total 0L "the other client made none"

              Expect.equal
                  (string op.Requests)
                  "get=1 list=1 watch=1 create=2 patch=1 apply=1 delete=1 event=1 (writes 5)"
                  "printed"
          }
          test "Since counts the requests of a phase: an idle phase has zero writes" {
              let s = sim ()
              let op = s.Cluster.Client "ztwim"
              op.CreateAsync(configMap "a" [] [], ct) |> ok |> ignore
              let before = op.Requests.Snapshot()
              op.GetAsync(refTo "v1" "ConfigMap" (Some "ns") "a", ct) |> ok |> ignore
              let idle = op.Requests.Since before
              Expect.equal (idle.Writes, idle.["get"], idle.Total) (0L, 1L, 1L) "idle phase"
              Expect.equal (s.Cluster.Client "ztwim") op "one client per name"
          } ]

[<Tests>]
let tests =
    testList "sim-cluster admission" [ admission; defaulting; events; counting ]
